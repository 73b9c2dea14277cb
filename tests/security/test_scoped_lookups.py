"""Every query a view makes names its company: another company's row is never read by id
alone. A static check over the views' source, so that a new unscoped lookup fails here even
where no test reaches it with two companies."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VIEW_MODULES = sorted(
    [*ROOT.glob("payables/views/*.py"), ROOT / "accounts" / "views.py"],
)
# Words in a query's statement that scope it to a company, or to the signed-in user's companies.
SCOPES = ("for_company", "company", "company_id", "company__", "memberships__user")


def _queries(path: Path) -> list[tuple[int, str]]:
    """(line, statement source) of each statement that reads `<Model>.objects`."""
    source = path.read_text()
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt) or isinstance(
            node, ast.FunctionDef | ast.ClassDef | ast.If | ast.For | ast.With | ast.Try
        ):
            continue
        text = ast.get_source_segment(source, node) or ""
        if ".objects" in text:
            found.append((node.lineno, text))
    return found


@pytest.mark.parametrize("path", VIEW_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_query_of_a_view_is_scoped_to_a_company(path: Path) -> None:
    unscoped = [
        f"{path.relative_to(ROOT)}:{line}: {text.splitlines()[0]}"
        for line, text in _queries(path)
        if not any(scope in text for scope in SCOPES)
    ]
    assert not unscoped, "\n".join(unscoped)


def test_the_check_sees_an_unscoped_lookup(tmp_path: Path) -> None:
    view = tmp_path / "view.py"
    view.write_text(
        "def paid(request, payment):\n"
        "    bill = Bill.objects.get(pk=payment.bill_id)\n"
        "    other = Bill.objects.for_company(company).get(pk=1)\n"
    )
    assert [line for line, text in _queries(view) if not any(s in text for s in SCOPES)] == [2]
