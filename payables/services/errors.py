"""The errors raised by the bill and attachment write paths; every message is safe to show.

Payments raise `payables.models.PaymentError` (`UnableToPay`), suppliers
`payables.services.suppliers.SupplierError`.
"""

from __future__ import annotations

# The key of a form whose earlier save got no answer, sent again with other values (a 422): the
# new values can only go with a new key, and the person decides, knowing the first may be saved.
KEY_REUSED_MESSAGE = (
    "An earlier save of this form, with other values, reached the ledger but its answer was "
    "lost, so that version may already be in the ledger. Refresh from the ledger and check "
    "before saving again: saving again sends these values as new."
)


class PayablesError(Exception):
    """An anticipated failure of a payables write; `message` and `field_errors` are safe to show.

    `fresh_key`: the form's Idempotency-Key is spent (the ledger refused the request, or keeps a
    5xx under it), so the re-rendered form must carry a new one (codat.errors.idempotency_key_spent).
    """

    def __init__(
        self,
        message: str,
        *,
        field_errors: dict[str, list[str]] | None = None,
        fresh_key: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}
        self.fresh_key = fresh_key


class BillError(PayablesError):
    """The bill was not created or changed in the ledger, nor in billpay."""


class LedgerUnavailable(BillError):
    """The ledger did not answer; `same_key_safe`: retrying with the same key cannot duplicate."""

    def __init__(self, message: str, *, same_key_safe: bool) -> None:
        super().__init__(message, fresh_key=not same_key_safe)
        self.same_key_safe = same_key_safe


class AttachmentError(PayablesError):
    """An attachment could not be stored, sent or read."""
