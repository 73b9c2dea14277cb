"""Counting the work a request makes the server do, for tests that pin it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from payables.bill_forms import LineForm


@contextlib.contextmanager
def line_forms_built() -> Iterator[list[int]]:
    """Counts the line forms a request builds: the work a POST can make the server do."""
    built = [0]
    original = LineForm.__init__

    def counting(self: LineForm, *args: Any, **kwargs: Any) -> None:
        built[0] += 1
        original(self, *args, **kwargs)

    LineForm.__init__ = counting  # type: ignore[method-assign]
    try:
        yield built
    finally:
        LineForm.__init__ = original  # type: ignore[method-assign]
