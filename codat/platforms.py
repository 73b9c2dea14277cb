"""What Codat documents of the accounting platforms behind a connection, where Bill Pay calls
differ by platform (codat-api.md §4.4; the docs' update-bill page): attachment size and extensions,
and the longest bill reference.

One source for billpay, which checks input before sending it, and for the sandbox ledger, which
enforces the same rules as the platform it stands in for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

MB: Final = 1024 * 1024


@dataclass(frozen=True, slots=True)
class PlatformRules:
    name: str
    max_reference_length: int
    max_attachment_bytes: int
    attachment_extensions: frozenset[str]


XERO: Final = PlatformRules(
    name="Xero",
    max_reference_length=255,
    max_attachment_bytes=4 * MB,
    attachment_extensions=frozenset(
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
    ),
)
QUICKBOOKS_ONLINE: Final = PlatformRules(
    name="QuickBooks Online",
    max_reference_length=21,
    max_attachment_bytes=100 * MB,
    attachment_extensions=frozenset(
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
    ),
)
# Codat platform keys of QuickBooks Online and its sandbox; every other platform (Xero is gbol) is
# held to Xero's rules, the strictest.
QUICKBOOKS_KEYS: Final = frozenset({"qhyg", "ndsk"})
ALL_PLATFORM_RULES: Final = (XERO, QUICKBOOKS_ONLINE)


def rules_for(platform_key: str) -> PlatformRules:
    return QUICKBOOKS_ONLINE if platform_key in QUICKBOOKS_KEYS else XERO
