"""The accounting platforms the sandbox ledger can pretend to be, and the rules each one enforces."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum


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


MB = 1024 * 1024
XERO_EXTENSIONS = frozenset(
    [
        "7z",
        "bmp",
        "csv",
        "doc",
        "docx",
        "eml",
        "gif",
        "jpeg",
        "jpg",
        "keynote",
        "msg",
        "numbers",
        "odf",
        "ods",
        "odt",
        "pages",
        "pdf",
        "png",
        "ppt",
        "pptx",
        "rar",
        "rtf",
        "tif",
        "tiff",
        "txt",
        "xls",
        "xlsx",
        "zip",
    ]
)
QBO_EXTENSIONS = frozenset(
    [
        "ai",
        "csv",
        "doc",
        "docx",
        "eps",
        "gif",
        "jpeg",
        "jpg",
        "ods",
        "pages",
        "pdf",
        "png",
        "rtf",
        "tif",
        "txt",
        "xls",
        "xlsx",
        "xml",
    ]
)


def _platform(key: str, name: str, flavour: Flavour) -> Platform:
    integration_id, source_id = _ids(key)
    xero = flavour is Flavour.XERO
    return Platform(
        key=key,
        name=name,
        flavour=flavour,
        integration_id=integration_id,
        source_id=source_id,
        max_reference_length=255 if xero else 21,
        max_attachment_bytes=4 * MB if xero else 100 * MB,
        attachment_extensions=XERO_EXTENSIONS if xero else QBO_EXTENSIONS,
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
