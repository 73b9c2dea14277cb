"""Record ids as each platform mints them (codat.platforms.IdFormat): Xero's GUIDs, QuickBooks
Online's per-type counters, NetSuite's internal ids (one sequence for every record type), Zoho
Books' long numbers (one sequence too), and codes for the records a platform keys by code."""

from __future__ import annotations

import uuid
from typing import Final

from codat.platforms import IdFormat

# Where the shared sequences start, so that ids look like the platform's own.
INTERNAL_ID_START: Final = 100  # NetSuite's first records of a new account are in the hundreds
LONG_NUMBER_START: Final = 3_716_000_000_000_000  # Zoho Books: 16+ digits, organisation prefix


def shared(fmt: IdFormat) -> bool:
    """Whether one sequence numbers every record type (so a supplier and a bill never share an
    id), rather than one sequence per type."""
    return fmt in (IdFormat.INTERNAL_ID, IdFormat.LONG_NUMBER)


def numbered(fmt: IdFormat) -> bool:
    return fmt is not IdFormat.GUID


def number_id(fmt: IdFormat, n: int) -> str:
    """The `n`th id (from 1) of a numbered format; a code-keyed record created at run time is
    numbered as a counter."""
    if fmt is IdFormat.INTERNAL_ID:
        return str(INTERNAL_ID_START + n)
    if fmt is IdFormat.LONG_NUMBER:
        return str(LONG_NUMBER_START + n)
    return str(n)


def id_number(fmt: IdFormat, record_id: str) -> int:
    """The sequence number of an id of a numbered format (0 when it is not one of them)."""
    if not record_id.isdigit():
        return 0
    value = int(record_id)
    if fmt is IdFormat.INTERNAL_ID:
        return max(value - INTERNAL_ID_START, 0)
    if fmt is IdFormat.LONG_NUMBER:
        return max(value - LONG_NUMBER_START, 0)
    return value


def guid(bits: int | None = None) -> str:
    """A version-4 GUID, from `bits` (128 random bits) when given, for reproducible seeds."""
    if bits is None:
        return str(uuid.uuid4())
    return str(uuid.UUID(int=bits, version=4))
