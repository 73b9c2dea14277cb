"""billpay as it runs at scale, started as real processes on loopback.

PostgreSQL (a fresh pair of databases), Redis as the Celery broker, S3 on moto's server, gunicorn
with 2 workers serving billpay, a Celery worker and beat as separate processes, and the sandbox
ledger served by a gunicorn of its own at another address, which billpay reaches over HTTP through
`CODAT_BASE_URL` exactly as it would reach Codat.

Used by tests/production/ and by benchmarks/load.py:

    with ProductionStack.start(workdir) as stack:
        httpx.get(stack.app_url + "/accounts/login/")
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
POSTGRES = os.environ.get("BILLPAY_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BILLPAY_TEST_REDIS", "redis://127.0.0.1:6379")
BUCKET = "billpay-production-shape"
SANDBOX_KEY = "production-shape-sandbox-key"


class StackError(RuntimeError):
    """A part of the stack did not come up; the message says which and shows its log's tail."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _postgres(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@dataclass
class ProductionStack:
    workdir: Path
    app_url: str = ""
    sandbox_url: str = ""
    s3_url: str = ""
    database: str = ""
    threads: int = 4
    env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    logs: dict[str, Path] = field(default_factory=dict)
    _files: list[IO[bytes]] = field(default_factory=list)

    @classmethod
    @contextlib.contextmanager
    def start(cls, workdir: Path, *, app_workers: int = 2) -> Iterator[ProductionStack]:
        stack = cls(workdir=workdir)
        try:
            stack._start(app_workers)
            yield stack
        finally:
            stack.stop()

    # --- start and stop -------------------------------------------------------------------------

    def _start(self, app_workers: int) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        app_port, sandbox_port, s3_port = free_port(), free_port(), free_port()
        # Different host names give the two servers separate cookie jars in one browser/client
        # (cookies ignore ports), as billpay and Codat's consent pages would have.
        self.app_url = f"http://127.0.0.1:{app_port}"
        self.sandbox_url = f"http://localhost:{sandbox_port}"
        self.s3_url = f"http://127.0.0.1:{s3_port}"
        self.database = f"billpay_shape_{uuid.uuid4().hex[:10]}"
        redis_db = os.environ.get("BILLPAY_TEST_REDIS_DB", "9")
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))},
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Loopback has no TLS: at scale a proxy terminates it and these stay on.
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "SITE_URL": self.app_url,
            "BILLPAY_VAR_DIR": str(self.workdir / "var"),
            "STATIC_ROOT": str(self.workdir / "static"),
            "DATABASE_URL": f"{POSTGRES}/{self.database}",
            "SANDBOX_DATABASE_URL": f"{POSTGRES}/{self.database}_sandbox",
            "CELERY_BROKER_URL": f"{REDIS}/{redis_db}",
            "AWS_STORAGE_BUCKET_NAME": BUCKET,
            "AWS_S3_ENDPOINT_URL": self.s3_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_S3_REGION_NAME": "us-east-1",
            "CODAT_BASE_URL": f"{self.sandbox_url}/sandbox/codat",
            "SANDBOX_API_KEY": SANDBOX_KEY,
            "SANDBOX_LINK_BASE_URL": f"{self.sandbox_url}/sandbox",
            "LOG_LEVEL": "WARNING",
        }
        for name in ("CODAT_API_KEY", "CELERY_RESULT_BACKEND"):
            self.env.pop(name, None)
        self._flush_redis(redis_db)
        for database in (self.database, f"{self.database}_sandbox"):
            _postgres(f'CREATE DATABASE "{database}"')
        self._manage("migrate", "--noinput")
        self._manage("migrate", "--database", "sandbox", "--noinput")
        self._manage("collectstatic", "--noinput")
        self._spawn(
            "s3",
            [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(s3_port)],
            cwd=self.workdir,
        )
        self._wait_http("s3", self.s3_url)
        self._create_bucket()
        # Threads, as billpay runs at scale: a request waiting on the ledger (an HTTP call) must
        # not hold one of the two workers' only slot.
        gunicorn = [
            str(BIN / "gunicorn"),
            "billpay.wsgi",
            "--access-logfile",
            "-",
            "--worker-class",
            "gthread",
            "--threads",
            str(self.threads),
            # A kept-alive connection stays with the worker that accepted it; closing after each
            # answer lets every request go to whichever worker is free.
            "--keep-alive",
            "0",
        ]
        self._spawn(
            "app", [*gunicorn, "-w", str(app_workers), "-b", f"127.0.0.1:{app_port}"], cwd=ROOT
        )
        self._spawn("sandbox", [*gunicorn, "-w", "2", "-b", f"localhost:{sandbox_port}"], cwd=ROOT)
        celery = [str(BIN / "celery"), "-A", "billpay"]
        self._spawn("worker", [*celery, "worker", "-c", "2", "--loglevel=INFO"], cwd=ROOT)
        self._spawn("beat", [*celery, "beat", "--loglevel=INFO"], cwd=ROOT)
        self._wait_http("app", f"{self.app_url}/accounts/login/")
        self._wait_http("sandbox", f"{self.sandbox_url}/accounts/login/")
        self._wait_log("worker", "ready.")
        self._wait_log("beat", "beat: Starting")

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.processes.values():
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for file in self._files:
            file.close()
        if self.database:
            for database in (self.database, f"{self.database}_sandbox"):
                with contextlib.suppress(Exception):
                    _postgres(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')

    # --- helpers ----------------------------------------------------------------------------------

    def _manage(self, *args: str) -> None:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0:
            raise StackError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")

    def _spawn(self, name: str, command: list[str], *, cwd: Path) -> None:
        log = self.workdir / f"{name}.log"
        file = log.open("wb")
        self._files.append(file)
        self.logs[name] = log
        self.processes[name] = subprocess.Popen(
            command, cwd=cwd, env=self.env, stdout=file, stderr=subprocess.STDOUT
        )

    def log_tail(self, name: str, chars: int = 3000) -> str:
        return self.logs[name].read_text(errors="replace")[-chars:]

    def _check_alive(self, name: str) -> None:
        if self.processes[name].poll() is not None:
            raise StackError(
                f"{name} exited with {self.processes[name].returncode}:\n{self.log_tail(name)}"
            )

    def _wait_http(self, name: str, url: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._check_alive(name)
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url, timeout=2).status_code < 500:
                    return
            time.sleep(0.2)
        raise StackError(
            f"{name} did not answer at {url} within {seconds}s:\n{self.log_tail(name)}"
        )

    def _wait_log(self, name: str, text: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._check_alive(name)
            if text in self.logs[name].read_text(errors="replace"):
                return
            time.sleep(0.2)
        raise StackError(f"{name} did not log {text!r} within {seconds}s:\n{self.log_tail(name)}")

    def _flush_redis(self, db: str) -> None:
        import redis

        redis.Redis.from_url(f"{REDIS}/{db}", socket_connect_timeout=5).flushdb()

    def _create_bucket(self) -> None:
        self.s3().create_bucket(Bucket=BUCKET)

    def s3(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.s3_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
        )

    def bucket_keys(self) -> list[str]:
        listed = self.s3().list_objects_v2(Bucket=BUCKET)
        return [item["Key"] for item in listed.get("Contents", [])]


def tools_missing() -> str | None:
    """What the stack cannot start without, or None."""
    for tool in ("gunicorn", "celery", "moto_server"):
        if not (BIN / tool).exists() and shutil.which(tool) is None:
            return f"{tool} is not installed in {BIN}"
    return None


class Form(HTMLParser):
    """The fields of the first <form> whose action contains `action`: inputs with their values,
    and selects with their options' (value, text)."""

    def __init__(self, page: str, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.done = action, False, False
        self.fields: dict[str, str] = {}
        self.options: dict[str, list[tuple[str, str]]] = {}
        self._select: str | None = None
        self._option: str | None = None
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and not self.done and self.action in a.get("action", ""):
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
            self.fields[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a.get("name")
            self.options[self._select or ""] = []
        elif tag == "option" and self._select is not None:
            self._option = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._option is not None and self._select is not None:
            self.options[self._select].append((self._option, data.strip()))
            self._option = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True
