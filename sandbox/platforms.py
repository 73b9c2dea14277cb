"""The accounting platforms the sandbox ledger can pretend to be, and the rules each one enforces."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from codat import platforms as codat_platforms


class Flavour(StrEnum):
    XERO = "xero"
    QBO = "qbo"


@dataclass(frozen=True, slots=True)
class Platform:
    key: str
    name: str
    flavour: Flavour
    integration_id: str
    source_id: str
    max_reference_length: int
    max_attachment_bytes: int
    attachment_extensions: frozenset[str] | None  # None: any extension

    @property
    def ledger_name(self) -> str:
        """How validation messages name the platform ("was not found in Xero")."""
        return "Xero" if self.flavour is Flavour.XERO else "QuickBooks Online"


def _ids(key: str) -> tuple[str, str]:
    # Stable per platform, like Codat's integration and source ids.
    return (
        str(uuid.uuid5(uuid.NAMESPACE_URL, f"codat-integration:{key}")),
        str(uuid.uuid5(uuid.NAMESPACE_URL, f"codat-source:{key}")),
    )


def _platform(key: str, name: str, flavour: Flavour) -> Platform:
    integration_id, source_id = _ids(key)
    rules = codat_platforms.XERO if flavour is Flavour.XERO else codat_platforms.QUICKBOOKS_ONLINE
    return Platform(
        key=key,
        name=name,
        flavour=flavour,
        integration_id=integration_id,
        source_id=source_id,
        max_reference_length=rules.max_reference_length,
        max_attachment_bytes=rules.max_attachment_bytes,
        attachment_extensions=rules.attachment_extensions,
    )


# The Codat Sandbox integration answers in Xero's flavour, as billpay's default platform does.
PLATFORMS: dict[str, Platform] = {
    p.key: p
    for p in (
        _platform("gbol", "Xero", Flavour.XERO),
        _platform("qhyg", "QuickBooks Online", Flavour.QBO),
        _platform("ndsk", "QuickBooks Online Sandbox", Flavour.QBO),
        _platform("mqjo", "Sandbox", Flavour.XERO),
    )
}


def platform_for(key: str) -> Platform:
    """The platform for a key; keys the sandbox does not know behave like Xero under their key."""
    known = PLATFORMS.get(key)
    if known is not None:
        return known
    return _platform(key, key.upper(), Flavour.XERO)
