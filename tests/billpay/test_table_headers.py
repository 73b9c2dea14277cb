"""Every table header cell has a name a screen reader can say: a column of buttons is still a
column ("Actions", or hidden text). Read from the templates' source, so that a table no test
renders is held to it too."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
TAG = re.compile(r"{%.*?%}|{#.*?#}", re.S)


class _HeaderCells(HTMLParser):
    """The cells of each <thead>: (tag, text), text being what a screen reader reads."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, str]] = []
        self._in_head = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "thead":
            self._in_head = True
        elif self._in_head and tag in {"th", "td"}:
            self.cells.append((tag, ""))
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self._in_head = False
        elif self._cell is not None and tag in {"th", "td"}:
            self.cells[-1] = (self.cells[-1][0], "".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def header_cells(source: str) -> list[tuple[str, str]]:
    parser = _HeaderCells()
    # A template tag stands for text it will output ({{ column.label }}); {% %} for nothing.
    parser.feed(TAG.sub("", source))
    return parser.cells


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_header_cell_is_a_named_th(path: Path) -> None:
    bad = [cell for cell in header_cells(path.read_text()) if cell[0] != "th" or not cell[1]]
    assert not bad, bad


def test_an_empty_header_cell_is_seen() -> None:
    assert header_cells("<table><thead><tr><th>Name</th><td></td></tr></thead></table>") == [
        ("th", "Name"),
        ("td", ""),
    ]
