"""A task makes the round trip through a real broker to an embedded worker and back.

The worker runs in a thread of this process (`celery.contrib.testing.worker.start_worker`), but the
message and its result travel through the broker and the result backend as they would between
processes: files on disk for the embedded setup, Redis when `CELERY_BROKER_URL` says redis://.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from celery import Celery, shared_task
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from kombu import pools as kombu_pools

from billpay import celery_app
from tests.services import service_missing


# Results are off project-wide (no result backend by default); this task keeps its own.
@shared_task(ignore_result=False)
def echo_from_worker(text: str) -> dict[str, object]:
    return {"text": text, "thread": threading.get_ident()}


@contextmanager
def _reconfigured(app: Celery, **changes: Any) -> Iterator[Celery]:
    """Run with `changes` in the app's config, then put the config and its connections back."""
    saved = {key: app.conf[key] for key in changes}
    app.conf.update(changes)
    _drop_cached_connections(app)
    try:
        yield app
    finally:
        app.conf.update(saved)
        _drop_cached_connections(app)


def _drop_cached_connections(app: Celery) -> None:
    # The app caches its broker pool, producer pool and result backend on first use; a config change
    # only takes effect once they are rebuilt (what Celery itself does after a fork).
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    # kombu keeps producer pools in a process-wide registry keyed by connection: one that an
    # earlier test's enqueue (an invitation e-mail on Redis) made still holds the pool closed
    # above, and would answer "Acquire on closed pool".
    kombu_pools.reset()
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


def _round_trip(app: Celery) -> None:
    # A queue of its own, emptied first, so that the worker never runs a message some other test
    # (or an earlier run) left behind.
    queue = "billpay-test-round-trip"
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(queue)
    with start_worker(
        app,
        pool="solo",
        perform_ping_check=False,
        queues=[queue],
        # On the filesystem transport the worker takes up to 4 s to stop: its blocking loop polls
        # for 2 s at a time and runs one more cycle after it is told to stop.
        shutdown_timeout=10,
    ):
        result = echo_from_worker.apply_async(("paid",), queue=queue)
        # A guard against a hang, not a timing: a loaded machine (CI runs two lanes on two cores)
        # has taken more than 5 s to start the worker and deliver the first message.
        answer = result.get(timeout=60, interval=0.05)
        result.forget()
    # Run by the worker, not eagerly in the caller's thread.
    assert answer == {"text": "paid", "thread": answer["thread"]}
    assert answer["thread"] != threading.get_ident()


@pytest.fixture
def common_test_config(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    # Celery reads these two variables itself, over the app's config; settings.py has read them.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("CELERY_RESULT_BACKEND", raising=False)
    # The worker must leave pytest's log handlers alone.
    return {"worker_hijack_root_logger": False}


def test_task_round_trips_through_the_filesystem_broker(
    tmp_path: Path, common_test_config: dict[str, Any]
) -> None:
    broker = tmp_path / "broker"
    processed = tmp_path / "processed"
    broker.mkdir()
    processed.mkdir()
    filesystem = {
        "broker_url": "filesystem://",
        "broker_transport_options": {
            **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            "data_folder_in": str(broker),
            "data_folder_out": str(broker),
            "processed_folder": str(processed),
            # Exchange bindings; kombu's default is "control" in the working directory.
            "control_folder": str(tmp_path / "control"),
            "polling_interval": 0.05,
        },
        "result_backend": f"file://{tmp_path / 'results'}",
    }
    (tmp_path / "results").mkdir()
    with _reconfigured(celery_app, **common_test_config, **filesystem) as app:
        _round_trip(app)


@pytest.mark.redis
# Celery 5.7's Redis result backend still calls setex, which redis-py 8 deprecates.
@pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning")
def test_task_round_trips_through_redis(common_test_config: dict[str, Any]) -> None:
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        pytest.skip(f"CELERY_BROKER_URL is {url!r}, not redis://")
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 1).close()
    except OSError as exc:
        service_missing("Redis", f"{parts.hostname}:{parts.port}: {exc}")
    config = {**common_test_config, "broker_url": url, "result_backend": url}
    with _reconfigured(celery_app, **config) as app:
        _round_trip(app)
