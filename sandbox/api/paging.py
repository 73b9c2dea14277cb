"""The API's two paging schemes: page numbers (companies, connections) and continuation tokens."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from sandbox.api.base import ApiError

PAYABLES_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 100
# The pageSize parameter says 5000, the PagingInfo schema says 2000; responses must satisfy the
# schema, so the sandbox refuses more than 2000 (see README: spec disagreements).
MAX_PAGE_SIZE = 2000

T = TypeVar("T")


def page_params(query: Mapping[str, str]) -> tuple[int, int]:
    """Read `page` and `pageSize`, answering 400 for junk."""
    try:
        page = int(query.get("page", "1"))
        page_size = int(query.get("pageSize", str(DEFAULT_PAGE_SIZE)))
    except ValueError:
        raise ApiError(
            400, "Error processing request - page and pageSize must be numbers."
        ) from None
    if page < 1:
        raise ApiError(400, "Error processing request - page must be at least 1.")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ApiError(
            400, f"Error processing request - pageSize must be between 1 and {MAX_PAGE_SIZE}."
        )
    return page, page_size


def page_number_body(
    *,
    path: str,
    query: Mapping[str, str],
    items: list[Any],
    page: int,
    page_size: int,
    render: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    """One page of `items` (already filtered and ordered) with PagingInfo and HAL links."""
    total = len(items)
    start = (page - 1) * page_size
    results = [render(item) for item in items[start : start + page_size]]
    extra = {k: v for k, v in query.items() if k not in {"page", "pageSize"}}

    def href(number: int) -> dict[str, str]:
        return {"href": f"{path}?{urlencode({'page': number, 'pageSize': page_size, **extra})}"}

    links: dict[str, dict[str, str]] = {"self": {"href": path}, "current": href(page)}
    if start + page_size < total:
        links["next"] = href(page + 1)
    if page > 1:
        links["previous"] = href(page - 1)
    return {
        "results": results,
        "pageNumber": page,
        "pageSize": page_size,
        "totalResults": total,
        "_links": links,
    }


@dataclass(frozen=True, slots=True)
class Cursor:
    """What a continuation token holds: where the next page starts and what it was asked with."""

    page: int
    after: int
    query_hash: str

    def encode(self) -> str:
        raw = {
            "page": self.page,
            "pageSize": PAYABLES_PAGE_SIZE,
            "after": self.after,
            "q": self.query_hash,
        }
        return base64.urlsafe_b64encode(json.dumps(raw, separators=(",", ":")).encode()).decode()


def read_cursor(token: str | None, query_hash: str) -> Cursor:
    """Decode a continuation token, answering 400 for one that is not ours or not for this query."""
    if not token:
        return Cursor(page=1, after=0, query_hash=query_hash)
    try:
        padded = token + "=" * (-len(token) % 4)
        raw = json.loads(base64.urlsafe_b64decode(padded.encode()))
        cursor = Cursor(page=int(raw["page"]), after=int(raw["after"]), query_hash=str(raw["q"]))
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise ApiError(400, "Error processing request - invalid continuation token.") from None
    if cursor.query_hash != query_hash:
        raise ApiError(
            400, "Error processing request - the continuation token belongs to another query."
        )
    return cursor


def continuation_page(
    rows: Iterable[tuple[int, T]], *, cursor: Cursor, size: int = PAYABLES_PAGE_SIZE
) -> tuple[list[T], str | None]:
    """Take `size` items from `rows` (position, item) after the cursor; return them and the next
    token, which is absent on the last page."""
    items: list[T] = []
    last = cursor.after
    for position, item in rows:
        if len(items) == size:
            next_cursor = Cursor(page=cursor.page + 1, after=last, query_hash=cursor.query_hash)
            return items, next_cursor.encode()
        items.append(item)
        last = position
    return items, None
