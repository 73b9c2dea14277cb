"""The errors of payables, under one root whose message is safe to show a person.

Services raise a `PayablesError` (or a subclass naming what failed) when they refuse or cannot do
what was asked; views catch the root and show it, mapping `field_errors` onto the form's fields
(`payables.forms.add_errors`). The client's `codat.errors.CodatError` stays the client's: a
service that meets one turns it into a `PayablesError` with words for the person.
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
    """An anticipated failure; `message` and `field_errors` (by form field) are safe to show.

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


class NotConnected(PayablesError):
    """The company has no linked connection to its accounting platform."""


class BillError(PayablesError):
    """The bill was not created or changed in the ledger, nor in billpay."""


class LedgerUnavailable(BillError):
    """The ledger did not answer; `same_key_safe`: retrying with the same key cannot duplicate."""

    def __init__(self, message: str, *, same_key_safe: bool) -> None:
        super().__init__(message, fresh_key=not same_key_safe)
        self.same_key_safe = same_key_safe


class AttachmentError(PayablesError):
    """An attachment could not be stored, sent or read."""


class FileRefused(PayablesError):
    """The file cannot be stored (its type, size or bytes); the message says why."""


class PaymentError(PayablesError):
    """Paying a bill went wrong; `field` names the input to change (None: the whole form)."""

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        fresh_key: bool = False,
        field_errors: dict[str, list[str]] | None = None,
    ) -> None:
        # `field_errors`: several problems, each on its field (a bank account the ledger refused).
        errors = field_errors if field_errors is not None else {field: [message]} if field else None
        super().__init__(message, field_errors=errors, fresh_key=fresh_key)
        self.field = field


class UnableToPay(PaymentError):
    """An anticipated refusal: bad input, the bill changed or is being paid, the ledger said no."""


class SupplierError(PayablesError):
    """A supplier write refused (by billpay or the ledger) or that the ledger could not take;
    `messages` one per problem, `field_errors` those of them that concern one field."""

    def __init__(
        self, messages: list[str], *, field_errors: dict[str, list[str]] | None = None
    ) -> None:
        errors = dict(field_errors or {})
        placed = {m for listed in errors.values() for m in listed}
        # The others are problems of the whole form ("__all__", Django's NON_FIELD_ERRORS), and
        # the key is there even when empty: each message is shown once, where it belongs.
        errors["__all__"] = [
            *errors.get("__all__", []),
            *(m for m in messages if m not in placed),
        ]
        super().__init__(" ".join(messages), field_errors=errors)
        self.messages = messages


class RefreshStopped(PayablesError):
    """The connection can no longer be read (access revoked, unlinked); the message says why."""


class WebhookRefused(PayablesError):
    """The message is not verified (or not readable); it is answered 4xx and not processed."""


class ApprovalError(PayablesError):
    """An approval decision, policy change or payment gate refused; the message says why."""
