"""The errors raised by the bill and attachment write paths; every message is safe to show.

Payments raise `payables.models.PaymentError` (`UnableToPay`), suppliers
`payables.services.suppliers.SupplierError`.
"""

from __future__ import annotations


class PayablesError(Exception):
    """An anticipated failure of a payables write; `message` and `field_errors` are safe to show."""

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class BillError(PayablesError):
    """The bill was not created or changed in the ledger, nor in billpay."""


class LedgerUnavailable(BillError):
    """The ledger did not answer; `same_key_safe`: retrying with the same key cannot duplicate."""

    def __init__(self, message: str, *, same_key_safe: bool) -> None:
        super().__init__(message)
        self.same_key_safe = same_key_safe


class AttachmentError(PayablesError):
    """An attachment could not be stored, sent or read."""
