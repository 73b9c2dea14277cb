"""CodatClient's public methods against the spec's operationIds, methods and paths."""

from __future__ import annotations

import inspect
import re

from codat.client import CodatClient
from tests.contract.prism import SpecOperation

PAYABLES = "/companies/{companyId}/connections/{connectionId}/payables"
DOCSTRING = re.compile(r"(GET|POST|PUT|PATCH|DELETE) (\S+) \(([a-z-]+)\)")


def operation_methods() -> dict[str, str]:
    """Each public client method's docstring, except the plumbing every client has."""
    return {
        name: inspect.getdoc(member) or ""
        for name, member in inspect.getmembers(CodatClient, inspect.isfunction)
        if not name.startswith("_") and name != "close"
    }


def test_each_method_is_named_after_the_operation_its_docstring_names(
    spec_operations: tuple[SpecOperation, ...],
) -> None:
    by_id = {operation.operation_id: operation for operation in spec_operations}

    for name, doc in operation_methods().items():
        found = DOCSTRING.match(doc)
        assert found, f"{name}: docstring must start 'METHOD path (operationId)': {doc!r}"
        method, path, operation_id = found.groups()
        operation = by_id[operation_id]
        assert method == operation.method, name
        assert path.replace("P/", f"{PAYABLES}/", 1) == operation.path, name
        # Variants of one operation: a single page (`_page`) or streaming into a file (`_to`).
        assert name.removesuffix("_page").removesuffix("_to") == operation_id.replace("-", "_")


def test_every_billpay_operation_has_a_method(spec_operations: tuple[SpecOperation, ...]) -> None:
    named = {DOCSTRING.match(doc).group(3) for doc in operation_methods().values()}  # type: ignore[union-attr]

    assert named == {op.operation_id for op in spec_operations} - {
        "replace-company",
        "update-company",
    }
