"""Checks on a file before billpay stores it or sends it to the ledger.

The platform's limits come from the spec's Attachment description (codat-api.md §4.4): Xero takes
4 MB and a fixed extension list, QuickBooks Online 100 MB and another list. The bytes must be what
the extension claims (a `.pdf` that is an executable is refused), the name loses control
characters, and a name with folders in it is refused outright: browsers send a bare name, so a
path is a forged request.
"""

from __future__ import annotations

import mimetypes
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Final

from django.core.files import File

from codat import platforms
from codat.platforms import MB
from payables.errors import FileRefused

MAX_NAME_LENGTH: Final = 200


@dataclass(frozen=True, slots=True)
class AttachmentLimits:
    platform: str
    max_bytes: int
    extensions: frozenset[str] | None  # None: any extension


def _limits(rules: platforms.PlatformRules) -> AttachmentLimits:
    return AttachmentLimits(rules.name, rules.max_attachment_bytes, rules.attachment_extensions)


def limits_for(platform_key: str) -> AttachmentLimits:
    """The attachment limits of a platform (codat.platforms)."""
    return _limits(platforms.rules_for(platform_key))


_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # doc, xls, ppt, msg
# Extension -> the byte prefixes a real file of that type starts with.
_SIGNATURES: Final[dict[str, tuple[bytes, ...]]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "bmp": (b"BM",),
    "tif": (b"II*\x00", b"MM\x00*"),
    "tiff": (b"II*\x00", b"MM\x00*"),
    "7z": (b"7z\xbc\xaf\x27\x1c",),
    "rar": (b"Rar!\x1a\x07",),
    "rtf": (b"{\\rtf",),
    "doc": _OLE,
    "xls": _OLE,
    "ppt": _OLE,
    "msg": _OLE,
    **dict.fromkeys(("zip", "docx", "xlsx", "pptx", "odt", "ods", "odf"), _ZIP),
    **dict.fromkeys(("pages", "numbers", "keynote"), _ZIP),
    "ai": (b"%PDF-", b"%!PS"),
    "eps": (b"%!PS", b"\xc5\xd0\xd3\xc6"),
}
_TEXT: Final = frozenset({"txt", "csv", "eml", "xml"})
# Executables, whatever they are called.
_EXECUTABLE: Final = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"#!")
PREVIEWABLE: Final = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif"})
DOCUMENT_EXTENSIONS: Final = frozenset({"pdf", "png", "jpg", "jpeg", "gif"})


@dataclass(frozen=True, slots=True)
class CheckedFile:
    name: str
    extension: str
    content_type: str
    size: int


def clean_filename(raw: str) -> str:
    """The name without control characters; refused when it holds folders or nothing usable."""
    if "/" in raw or "\\" in raw or raw.strip() in (".", ".."):
        raise FileRefused(f"“{_shown(raw)}”: a file name must not contain folders (/ or \\).")
    name = unicodedata.normalize("NFC", raw)
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = " ".join(name.split()).lstrip(". ")
    if not name:
        raise FileRefused("The file has no usable name.")
    if len(name) > MAX_NAME_LENGTH:
        path = PurePosixPath(name)
        suffix = path.suffix[:20]
        name = path.stem[: MAX_NAME_LENGTH - len(suffix)] + suffix
    return name


def _shown(raw: str) -> str:
    return "".join(ch if ch.isprintable() else "?" for ch in raw)[:80]


def _bytes_match(extension: str, head: bytes) -> bool:
    if head.startswith(_EXECUTABLE):
        return False
    if extension in _TEXT:
        return b"\x00" not in head
    signatures = _SIGNATURES.get(extension)
    # A type with no known signature (none in Xero's and QBO's lists today) is taken on trust.
    return signatures is None or head.startswith(signatures)


def check_upload(
    upload: File[Any], *, limits: AttachmentLimits, extensions: frozenset[str] | None = None
) -> CheckedFile:
    """`check_file` for an uploaded file: reads its first 4 KB, then rewinds it for storage."""
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    return check_file(
        name=upload.name or "",
        size=upload.size or 0,
        head=head,
        limits=limits,
        extensions=extensions,
    )


def check_file(
    *,
    name: str,
    size: int,
    head: bytes,
    limits: AttachmentLimits,
    extensions: frozenset[str] | None = None,
) -> CheckedFile:
    """Check a file against the platform's limits and its own bytes (`head`: its first 4 KB)."""
    clean = clean_filename(name)
    if size <= 0:
        raise FileRefused(f"“{clean}” is empty.")
    if size > limits.max_bytes:
        raise FileRefused(
            f"“{clean}” is {size / MB:.1f} MB; {limits.platform} takes files up to "
            f"{limits.max_bytes // MB} MB."
        )
    extension = PurePosixPath(clean).suffix.lower().lstrip(".")
    allowed = extensions if extensions is not None else limits.extensions
    if allowed is not None and extension not in allowed:
        kinds = ", ".join(sorted(allowed)).upper()
        what = f".{extension}" if extension else "a file without an extension"
        raise FileRefused(
            f"“{clean}”: {limits.platform} does not take {what} files (it takes {kinds})."
        )
    if not _bytes_match(extension, head):
        raise FileRefused(
            f"“{clean}” is not a real .{extension} file: its content does not match its type."
        )
    content_type = platforms.content_type_for(extension)
    if content_type == "application/octet-stream":
        content_type = mimetypes.guess_type(clean, strict=False)[0] or content_type
    return CheckedFile(name=clean, extension=extension, content_type=content_type, size=size)
