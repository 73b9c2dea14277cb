"""Idempotency-Key replay, as Codat's gateway does it for the writes that accept a key.

A key is held per API client for 90 minutes: the same key with the same request replays the first
answer (with `Idempotent-Replayed: true`), with another body it is a 422, and while the first
request is still running a 409. A 429 is never kept, so a retry after the limit runs afresh.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone

from sandbox.api.base import ApiError, Call, LedgerRequest, LedgerResponse
from sandbox.models import IdempotencyRecord
from sandbox.routers import SANDBOX_ALIAS

IDEMPOTENCY_TTL = dt.timedelta(minutes=90)
# An in-flight key whose request died with its process is given up after this long.
IDEMPOTENCY_STALE_AFTER = dt.timedelta(minutes=5)


def request_fingerprint(request: LedgerRequest) -> str:
    """What makes two requests under one key "the same": method, path and body."""
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), request.body):
        digest.update(part)
        digest.update(b"\x00")
    return digest.hexdigest()


def run_once(call: Call, key: str, run: Callable[[], LedgerResponse]) -> LedgerResponse:
    """Run a write once per Idempotency-Key, replaying its first answer (Codat's rules:
    same key + other body -> 422, same key while in flight -> 409, a 429 is never kept)."""
    fingerprint = request_fingerprint(call.request)
    now = timezone.now()
    try:
        with transaction.atomic(using=SANDBOX_ALIAS):
            record = IdempotencyRecord.objects.create(
                key=key, client=call.client, fingerprint=fingerprint, created=now
            )
    except IntegrityError:
        existing = IdempotencyRecord.objects.filter(client=call.client, key=key).first()
        if existing is None:
            # Released between our insert and this read (its request failed, or the purge ran):
            # the key is free again.
            return run_once(call, key, run)
        expired = existing.created < now - IDEMPOTENCY_TTL
        abandoned = (
            existing.state == IdempotencyRecord.State.IN_FLIGHT
            and existing.created < now - IDEMPOTENCY_STALE_AFTER
        )
        if not (expired or abandoned):
            return _replay(existing, fingerprint)
        # Take the stale key over, unless another request just did (compare-and-set).
        taken = IdempotencyRecord.objects.filter(pk=existing.pk, created=existing.created).update(
            state=IdempotencyRecord.State.IN_FLIGHT, fingerprint=fingerprint, created=now
        )
        if not taken:
            return _replay(IdempotencyRecord.objects.get(pk=existing.pk), fingerprint)
        record = IdempotencyRecord.objects.get(pk=existing.pk)

    try:
        response = run()
    except BaseException:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        raise
    if response.status == 429:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
    else:
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            state=IdempotencyRecord.State.DONE,
            status=response.status,
            headers=response.headers,
            body=response.body,
        )
    return response


def _replay(record: IdempotencyRecord, fingerprint: str) -> LedgerResponse:
    if record.fingerprint != fingerprint:
        return ApiError(
            422,
            "The Idempotency-Key was already used for a request with a different body.",
        ).response()
    if record.state == IdempotencyRecord.State.IN_FLIGHT:
        return ApiError(
            409, "A request with this Idempotency-Key is still being processed."
        ).response()
    headers = dict(record.headers)
    headers["idempotent-replayed"] = "true"
    assert record.status is not None  # a DONE record always has its answer
    return LedgerResponse(record.status, headers, bytes(record.body))


def purge_idempotency_records(*, now: dt.datetime | None = None) -> int:
    """Forget responses older than Codat's 90-minute replay window; return how many."""
    cutoff = (now or timezone.now()) - IDEMPOTENCY_TTL
    deleted, _ = IdempotencyRecord.objects.filter(created__lt=cutoff).delete()
    return deleted
