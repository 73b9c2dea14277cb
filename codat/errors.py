"""Errors raised by the Codat client; every `message` is safe to show a user."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ValidationItem:
    """One entry of `validation.errors` or `validation.warnings` in Codat's ErrorMessage."""

    item_id: str | None
    message: str | None
    validator_name: str | None


class CodatError(Exception):
    """Anything that went wrong talking to Codat, including a response of the wrong shape."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        correlation_id: str | None = None,
        error_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.correlation_id = correlation_id
        # ErrorMessage.detailedErrorCode: machine-readable, 0 in every example of the spec.
        self.error_code = error_code

    def __str__(self) -> str:
        parts = [self.message]
        if self.status_code is not None:
            parts.append(f"status {self.status_code}")
        if self.correlation_id:
            parts.append(f"correlation id {self.correlation_id}")
        return " | ".join(parts)


class CodatUnavailable(CodatError):
    """Retryable: network errors, timeouts, 408, 429, 5xx, and 409 conflicts (see CodatConflict)."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        correlation_id: str | None = None,
        error_code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(
            message,
            status_code=status_code,
            correlation_id=correlation_id,
            error_code=error_code,
        )
        self.retry_after = retry_after


class CodatConflict(CodatUnavailable):
    """409: the dataset is still syncing, or a request with the same idempotency key is in flight."""


class CodatRejected(CodatError):
    """A 4xx other than auth and conflicts: the request itself is wrong (400, 404, 422, ...)."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        correlation_id: str | None = None,
        error_code: int | None = None,
        validation_errors: tuple[ValidationItem, ...] = (),
        validation_warnings: tuple[ValidationItem, ...] = (),
    ) -> None:
        super().__init__(
            message,
            status_code=status_code,
            correlation_id=correlation_id,
            error_code=error_code,
        )
        self.validation_errors = validation_errors
        self.validation_warnings = validation_warnings

    def form_messages(self) -> list[str]:
        """Messages a form can show: each validation error, or the overall message if none."""
        messages = [item.message for item in self.validation_errors if item.message]
        return messages or [self.message]


class CodatNotFound(CodatRejected):
    """404: the company, connection or record does not exist (or was deleted)."""


class CodatAuthError(CodatError):
    """401, 402 or 403: the API key is wrong, outdated, out of quota or not for this resource."""


def idempotency_key_spent(exc: CodatError) -> bool:
    """Whether a write that failed with `exc` must send a new Idempotency-Key on its next try.

    Codat keeps the first answer to a key for 90 minutes and replays it, 4xx and 5xx included,
    and refuses the key with any other body (422). A refusal recorded nothing, so its key could
    only replay the refusal, and a corrected body under it is refused outright: the next try gets
    a new key. A 5xx is replayed the same way, so its key cannot tell more either. Only an
    unknown outcome keeps the key, because only the same key can find out without writing twice:
    no answer at all (a timeout or a lost answer: the write may have happened), 409 (the same
    key is still in flight) and 429 (never kept: the key is free again).
    """
    return exc.status_code is not None and exc.status_code not in (409, 429)


def idempotency_key_reused(exc: CodatError) -> bool:
    """422, the key was first sent with another body (the spec declares 422 nowhere else): an
    earlier try whose answer was lost, which the ledger may have saved."""
    return isinstance(exc, CodatRejected) and exc.status_code == 422
