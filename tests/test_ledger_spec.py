"""The spec validator catches drift: every way a response can leave the spec is a SpecViolation."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox.api.base import LedgerRequest, LedgerResponse
from tests.ledger_spec import (
    DEFAULT_SPEC_PATH,
    LedgerSpec,
    SpecViolation,
    ledger_spec,
    load_spec_document,
    spec_path,
    validate_ledger_response,
    validation_stats,
)

COMPANY = "8a210b68-6988-11ed-a1eb-0242ac120002"
CONNECTION = "2e9d2c44-f675-40ba-8049-353bfcb5e171"
ATTACHMENT = "0fa5b5c6-6a8e-4c8b-9b6a-1f6f3f0b9c1d"
PAYABLES = f"/companies/{COMPANY}/connections/{CONNECTION}/payables"
_ABSENT = object()

# Examples in the spec that its own schemas (or the ErrorMessage rules in tests/ledger_spec.py)
# reject. Each is a disagreement between Codat's docs and its spec, not a validator bug.
SPEC_EXAMPLES_THAT_DISAGREE = {
    "list-bills 200 Bills": "results[0].currencyRate is the string '1,', not a number",
    "components/responses/Payment-Required Conflict": "a 402 whose statusCode says 429",
    "components/responses/Service-Unavailable Conflict": "a 503 whose statusCode says 500",
}


# A LedgerSpec of its own keeps these checks out of the session's sandbox counters.
_SPEC = LedgerSpec(load_spec_document())


@pytest.fixture
def spec() -> LedgerSpec:
    return _SPEC


def _path_for(template: str) -> str:
    ids = {"companyId": COMPANY, "connectionId": CONNECTION, "attachmentId": ATTACHMENT}
    return re.sub(r"\{(\w+)\}", lambda m: ids.get(m[1], "bill-1"), template)


def _json(status: int, body: Any) -> LedgerResponse:
    return LedgerResponse(status, {"Content-Type": "application/json; charset=utf-8"}, _dumps(body))


def _dumps(body: Any) -> bytes:
    return json.dumps(body).encode()


def _error(status: int, **changes: Any) -> dict[str, Any]:
    body = {
        "statusCode": status,
        "service": "PublicApi",
        "error": "Something went wrong.",
        "correlationId": "8fa2b5f4794970a4ee73758f612e8df0",
        "validation": None,
        "canBeRetried": "Unknown",
        "detailedErrorCode": 0,
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not _ABSENT}


def _response_examples(spec: LedgerSpec) -> Iterator[tuple[str, str, str, str, Any]]:
    """(id, method, template, status, example body) for each distinct response example."""
    seen: set[str] = set()
    for op in spec.operations:
        for status, pointer in op.responses.items():
            if pointer in seen:
                continue
            seen.add(pointer)
            definition = spec.document
            for token in pointer[1:].split("/"):
                definition = definition[token.replace("~1", "/").replace("~0", "~")]
            where = (
                pointer[1:] if pointer.startswith("/components/") else f"{op.operation_id} {status}"
            )
            json_content = (definition.get("content") or {}).get("application/json", {})
            for name, example in (json_content.get("examples") or {}).items():
                yield f"{where} {name}", op.method, op.template, status, example["value"]


def _example(spec: LedgerSpec, operation_id: str, status: str) -> dict[str, Any]:
    for _, method, template, found_status, value in _response_examples(spec):
        op = spec.find_operation(method, _path_for(template))
        if op is not None and op.operation_id == operation_id and found_status == status:
            return copy.deepcopy(value)
    raise LookupError(f"no example for {operation_id} {status}")


_EXAMPLES = list(_response_examples(_SPEC))


@pytest.mark.parametrize(
    ("method", "template", "status", "body"),
    [pytest.param(*example[1:], id=example[0]) for example in _EXAMPLES],
)
def test_spec_examples_pass_unless_known_to_disagree(
    spec: LedgerSpec,
    request: pytest.FixtureRequest,
    method: str,
    template: str,
    status: str,
    body: Any,
) -> None:
    example_id = request.node.callspec.id
    response = _json(int(status), body)
    if example_id in SPEC_EXAMPLES_THAT_DISAGREE:
        with pytest.raises(SpecViolation):
            spec.check(LedgerRequest(method, _path_for(template)), response)
    else:
        spec.check(LedgerRequest(method, _path_for(template)), response)


def test_known_disagreeing_examples_all_still_exist() -> None:
    ids = {example[0] for example in _EXAMPLES}
    assert set(SPEC_EXAMPLES_THAT_DISAGREE) <= ids


def test_correct_connection_passes(spec: LedgerSpec) -> None:
    body = _example(spec, "get-connection", "200")
    op = spec.check(
        LedgerRequest("GET", f"/companies/{COMPANY}/connections/{CONNECTION}"), _json(200, body)
    )
    assert op == ("get-connection", 200)


def test_missing_required_field_is_a_violation(spec: LedgerSpec) -> None:
    body = _example(spec, "get-connection", "200")
    del body["linkUrl"]
    with pytest.raises(SpecViolation) as caught:
        spec.check(
            LedgerRequest("GET", f"/companies/{COMPANY}/connections/{CONNECTION}"), _json(200, body)
        )
    assert caught.value.operation_id == "get-connection"
    assert caught.value.status == 200
    assert caught.value.json_path == "$"
    assert "'linkUrl' is a required property" in caught.value.message


def test_unexpected_field_where_spec_forbids_extras_is_a_violation(spec: LedgerSpec) -> None:
    body = _example(spec, "get-connection", "200")
    body["secret"] = "x"
    with pytest.raises(SpecViolation, match="Additional properties"):
        spec.check(
            LedgerRequest("GET", f"/companies/{COMPANY}/connections/{CONNECTION}"), _json(200, body)
        )


def test_wrong_type_is_a_violation_with_its_json_path(spec: LedgerSpec) -> None:
    body = _example(spec, "list-bills", "200")
    body["results"][0]["currencyRate"] = None
    body["results"][1]["supplierRef"] = "not-an-object"
    with pytest.raises(SpecViolation) as caught:
        spec.check(LedgerRequest("GET", f"{PAYABLES}/bills"), _json(200, body))
    assert caught.value.json_path == "$.results[1].supplierRef"


def test_string_where_number_belongs_is_a_violation(spec: LedgerSpec) -> None:
    body = _example(spec, "create-bill", "201")
    body["totalAmount"] = "12.50"
    with pytest.raises(SpecViolation) as caught:
        spec.check(LedgerRequest("POST", f"{PAYABLES}/bills"), _json(201, body))
    assert caught.value.json_path == "$.totalAmount"
    assert "is not of type 'number'" in caught.value.message


def test_nullable_fields_accept_null(spec: LedgerSpec) -> None:
    body = _example(spec, "create-bill", "201")
    body["currencyRate"] = None
    body["reference"] = None
    spec.check(LedgerRequest("POST", f"{PAYABLES}/bills"), _json(201, body))


def test_malformed_uuid_is_a_violation(spec: LedgerSpec) -> None:
    body = _example(spec, "get-connection", "200")
    body["id"] = "not-a-uuid"
    with pytest.raises(SpecViolation, match="uuid"):
        spec.check(
            LedgerRequest("GET", f"/companies/{COMPANY}/connections/{CONNECTION}"), _json(200, body)
        )


def test_undeclared_status_code_is_a_violation(spec: LedgerSpec) -> None:
    # The docs describe a 422 for a reused Idempotency-Key, but the spec declares none.
    with pytest.raises(SpecViolation, match="status not declared") as caught:
        spec.check(LedgerRequest("POST", f"{PAYABLES}/bills"), _json(422, _error(422)))
    assert caught.value.operation_id == "create-bill"


def test_success_status_of_another_operation_is_a_violation(spec: LedgerSpec) -> None:
    body = _example(spec, "create-company", "200")
    with pytest.raises(SpecViolation, match="status not declared"):
        spec.check(LedgerRequest("POST", "/companies"), _json(201, body))


def test_declared_error_passes(spec: LedgerSpec) -> None:
    spec.check(LedgerRequest("GET", f"{PAYABLES}/bills"), _json(409, _error(409)))


@pytest.mark.parametrize(
    ("body", "json_path"),
    [
        pytest.param(_error(404, correlationId=_ABSENT), "$", id="missing-correlationId"),
        pytest.param(_error(404, statusCode="404"), "$.statusCode", id="statusCode-as-string"),
        pytest.param(_error(404, statusCode=400), "$.statusCode", id="statusCode-not-the-status"),
        pytest.param(
            _error(404, validation={"errors": "x"}), "$.validation.errors", id="bad-validation"
        ),
        pytest.param(["Not found"], "$", id="not-an-object"),
    ],
)
def test_bad_error_body_is_a_violation(spec: LedgerSpec, body: Any, json_path: str) -> None:
    with pytest.raises(SpecViolation) as caught:
        spec.check(LedgerRequest("GET", f"/companies/{COMPANY}"), _json(404, body))
    assert caught.value.json_path == json_path


def test_error_that_is_not_json_is_a_violation(spec: LedgerSpec) -> None:
    response = LedgerResponse(500, {"content-type": "text/html"}, b"<h1>Server Error</h1>")
    with pytest.raises(SpecViolation, match="content-type must be application/json"):
        spec.check(LedgerRequest("GET", f"/companies/{COMPANY}"), response)


def test_json_content_type_is_required(spec: LedgerSpec) -> None:
    body = _example(spec, "get-company", "200")
    response = LedgerResponse(200, {}, _dumps(body))
    with pytest.raises(SpecViolation, match="content-type"):
        spec.check(LedgerRequest("GET", f"/companies/{COMPANY}"), response)


def test_body_that_is_not_json_is_a_violation(spec: LedgerSpec) -> None:
    response = LedgerResponse(200, {"content-type": "application/json"}, b"{'id': 1}")
    with pytest.raises(SpecViolation, match="not JSON"):
        spec.check(LedgerRequest("GET", f"/companies/{COMPANY}"), response)


def test_wrong_path_is_a_violation(spec: LedgerSpec) -> None:
    body = _example(spec, "get-company", "200")
    with pytest.raises(SpecViolation, match="no operation") as caught:
        spec.check(LedgerRequest("GET", f"/company/{COMPANY}"), _json(200, body))
    assert caught.value.operation_id == "(no operation)"


def test_wrong_method_answered_405_is_a_violation(spec: LedgerSpec) -> None:
    with pytest.raises(SpecViolation, match="no operation"):
        spec.check(LedgerRequest("DELETE", "/companies"), _json(405, _error(405)))


def test_unknown_path_may_answer_404_or_a_gateway_error(spec: LedgerSpec) -> None:
    assert spec.check(LedgerRequest("GET", "/nope"), _json(404, _error(404))) == (
        "(no operation)",
        404,
    )
    spec.check(LedgerRequest("GET", "/nope"), _json(401, _error(401)))


def test_unknown_path_with_bad_error_body_is_a_violation(spec: LedgerSpec) -> None:
    with pytest.raises(SpecViolation):
        spec.check(LedgerRequest("GET", "/nope"), _json(404, {"detail": "Not found"}))


def test_no_content_answers_must_have_no_body(spec: LedgerSpec) -> None:
    spec.check(LedgerRequest("DELETE", f"/companies/{COMPANY}"), LedgerResponse(204))
    with pytest.raises(SpecViolation, match="no body"):
        spec.check(LedgerRequest("DELETE", f"/companies/{COMPANY}"), _json(204, {}))


def test_delete_connection_answers_200_without_body(spec: LedgerSpec) -> None:
    request = LedgerRequest("DELETE", f"/companies/{COMPANY}/connections/{CONNECTION}")
    spec.check(request, LedgerResponse(200))
    with pytest.raises(SpecViolation, match="no body"):
        spec.check(request, _json(200, {"id": CONNECTION}))


def test_download_is_octet_stream(spec: LedgerSpec) -> None:
    request = LedgerRequest("GET", f"{PAYABLES}/bills/bill-1/attachments/{ATTACHMENT}/download")
    spec.check(request, LedgerResponse(200, {"content-type": "application/octet-stream"}, b"%PDF"))
    with pytest.raises(SpecViolation, match="application/octet-stream"):
        spec.check(request, LedgerResponse(200, {"content-type": "application/pdf"}, b"%PDF"))


def test_validate_ledger_response_counts_per_operation_and_status() -> None:
    before = validation_stats()
    request = LedgerRequest("GET", f"/companies/{COMPANY}")
    validate_ledger_response(request, _json(404, _error(404)))
    after = validation_stats()
    assert after.total == before.total + 1
    key = ("get-company", 404)
    assert after.by_operation[key] == before.by_operation.get(key, 0) + 1


def test_validate_ledger_response_raises_on_drift_and_does_not_count_it() -> None:
    before = validation_stats()
    with pytest.raises(SpecViolation):
        validate_ledger_response(LedgerRequest("GET", "/companies"), _json(200, {"results": 1}))
    assert validation_stats().total == before.total


def test_fault_responses_never_reach_a_client_so_are_not_checked() -> None:
    response = LedgerResponse(0, fault="timeout")
    validate_ledger_response(LedgerRequest("GET", "/companies"), response)


def test_spec_is_compiled_once_per_process() -> None:
    assert ledger_spec() is ledger_spec()


def test_json_twin_matches_the_yaml(tmp_path: Path) -> None:
    yaml_only = tmp_path / "spec.yaml"
    shutil.copy(spec_path(), yaml_only)
    assert load_spec_document(yaml_only) == load_spec_document(spec_path())


def test_the_spec_is_the_repositorys_own_copy() -> None:
    repo = Path(__file__).resolve().parents[1]
    assert DEFAULT_SPEC_PATH.is_relative_to(repo)
    document = load_spec_document(DEFAULT_SPEC_PATH)
    source = (DEFAULT_SPEC_PATH.parent / "SOURCE.md").read_text()
    assert document["info"]["version"] in source
    assert "dd0df04c01d113024339a87cff27e7744826775c" in source


def test_no_file_of_the_repository_reads_outside_it() -> None:
    repo = Path(__file__).resolve().parents[1]
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.split()
    code = [repo / name for name in tracked if name.endswith((".py", ".toml", ".cfg", ".ini"))]
    code += [repo / "scripts" / "demo", repo / "scripts" / "test", repo / ".ci" / "run"]
    outside = re.compile(r"\.\./shared|/ \"shared\"|parents\[\d\]\.parent")
    readers = [
        str(p.relative_to(repo)) for p in code if p.is_file() and outside.search(p.read_text())
    ]
    assert readers == []
