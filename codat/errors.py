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
