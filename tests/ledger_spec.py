"""Checks every sandbox ledger response against Codat's own OpenAPI spec.

The sandbox handler calls the dotted path in `settings.SANDBOX_RESPONSE_VALIDATOR` for each response
it produces; `tests/conftest.py` points that at `validate_ledger_response` for the whole test session,
so any test that drives the sandbox also proves that the sandbox still speaks the spec.

The spec says OpenAPI 3.1.0 but writes 3.0's `nullable: true`; it is rewritten into JSON Schema
2020-12 (`type: [X, "null"]`, or `anyOf` with null around a `$ref`) before anything is compiled.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from sandbox.api.base import LedgerRequest, LedgerResponse

SPEC_URI = "urn:codat:sync-payables"
# The repository's own copy of the official spec (its source and version: specs/SOURCE.md).
DEFAULT_SPEC_PATH = Path(__file__).resolve().parent.parent / "specs" / "Codat-Sync-Payables.yaml"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")

# The spec's ErrorMessage requires nothing, so an empty object would pass it. The docs (and every
# example in the spec) show these six keys on every error; hold the sandbox to that.
ERROR_REQUIRED_KEYS = (
    "statusCode",
    "service",
    "error",
    "correlationId",
    "canBeRetried",
    "detailedErrorCode",
)

_NOT_A_SCHEMA = frozenset({"example", "examples", "x-speakeasy-example"})
_KEEP_BESIDE_ANYOF = frozenset({"title", "description", "definitions", "$defs", "x-internal"})
# Keywords holding a map of names to schemas (the names may be anything, "example" included).
_NAMED_SCHEMAS = frozenset({"properties", "patternProperties", "dependentSchemas"})
# Keywords whose value is a schema or a list of schemas.
_SUBSCHEMA_KEYWORDS = frozenset(
    {
        "items",
        "prefixItems",
        "contains",
        "additionalProperties",
        "unevaluatedProperties",
        "unevaluatedItems",
        "propertyNames",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
        "if",
        "then",
        "else",
    }
)
# Keywords that only hold `$ref` targets or annotations: left out of inlined schemas.
_REF_TARGETS_ONLY = frozenset(
    {"definitions", "$defs", "example", "examples", "x-speakeasy-example"}
)


class SpecViolation(AssertionError):
    """A ledger response that the spec does not allow."""

    def __init__(self, operation_id: str, status: int, json_path: str, message: str) -> None:
        super().__init__(f"{operation_id} -> {status}: at {json_path}: {message}")
        self.operation_id = operation_id
        self.status = status
        self.json_path = json_path
        self.message = message


@dataclass(frozen=True, slots=True)
class ValidationStats:
    total: int
    by_operation: dict[tuple[str, int], int]


@dataclass(frozen=True, slots=True)
class Operation:
    operation_id: str
    method: str
    template: str
    pattern: re.Pattern[str]
    literal_segments: int
    # Status code (or "default") -> JSON pointer of the response object, `$ref`s followed.
    responses: Mapping[str, str]


def spec_path() -> Path:
    return Path(os.environ.get("CODAT_SPEC_PATH") or DEFAULT_SPEC_PATH)


def load_spec_document(path: Path | None = None) -> dict[str, Any]:
    """The spec as a dict, from its JSON twin when one sits beside the YAML (10x faster to load)."""
    path = path or spec_path()
    twin = path.with_suffix(".json")
    if path.suffix == ".json" or twin.exists():
        return json.loads((path if path.suffix == ".json" else twin).read_text())
    return yaml.safe_load(path.read_text())


def openapi30_to_json_schema(node: Any) -> Any:
    """A copy of `node` with every `nullable: true` turned into JSON Schema's way of allowing null."""
    node = copy.deepcopy(node)
    _rewrite_nullable(node)
    return node


def _rewrite_nullable(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _rewrite_nullable(item)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in _NAMED_SCHEMAS and isinstance(value, dict):
            for schema in value.values():
                _rewrite_nullable(schema)
        elif key not in _NOT_A_SCHEMA:
            _rewrite_nullable(value)
    nullable = node.get("nullable")
    if not isinstance(nullable, bool):
        return  # a property that happens to be named "nullable"
    del node["nullable"]
    if not nullable:
        return
    if "type" in node:
        types = node["type"] if isinstance(node["type"], list) else [node["type"]]
        node["type"] = [*types, "null"] if "null" not in types else types
        if "enum" in node and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
    else:
        # `$ref` (or allOf...) with `nullable`: the referenced schema itself does not allow null.
        branch = {k: node.pop(k) for k in list(node) if k not in _KEEP_BESIDE_ANYOF}
        node["anyOf"] = [branch, {"type": "null"}]


def _pointer_escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _resolve_local(document: dict[str, Any], ref: str) -> Any:
    if not ref.startswith("#/"):
        raise ValueError(f"only local $refs are supported, not {ref!r}")
    node: Any = document
    for token in ref[2:].split("/"):
        key = token.replace("~1", "/").replace("~0", "~")
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def _media_type(headers: Mapping[str, str]) -> str | None:
    for name, value in headers.items():
        if name.lower() == "content-type":
            return value.split(";", 1)[0].strip().lower()
    return None


def _format_checker() -> FormatChecker:
    # Only uuid is checked: the spec's dates carry no `format` and mix zoned and unzoned forms,
    # and `decimal`/`int32`/`ISO4217` are not JSON Schema formats.
    checker = FormatChecker(formats=())

    @checker.checks("uuid", raises=ValueError)
    def is_uuid(instance: object) -> bool:
        if not isinstance(instance, str):
            return True
        return len(instance) == 36 and str(UUID(instance)) == instance.lower()

    return checker


class LedgerSpec:
    """The Bill Pay spec compiled for checking responses, with one validator per schema."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document: dict[str, Any] = openapi30_to_json_schema(dict(document))
        self._registry: Registry[Any] = Registry().with_resource(
            SPEC_URI, Resource(contents=self.document, specification=DRAFT202012)
        )
        self._format_checker = _format_checker()
        self._validators: dict[str, Draft202012Validator] = {}
        self._lock = threading.Lock()
        self.operations = self._operations()
        # Answers that come before routing (auth, quota, gateway faults) may reach a path that is no
        # operation: every status that all operations declare, plus 404.
        common = set.intersection(*(set(op.responses) for op in self.operations))
        self.unmatched_statuses = frozenset(int(s) for s in common | {"404"} if s.isdigit())
        self._error_schema = {
            "allOf": [{"$ref": "#/components/schemas/ErrorMessage"}],
            "type": "object",
            "required": list(ERROR_REQUIRED_KEYS),
        }

    def _operations(self) -> list[Operation]:
        found = []
        for template, item in self.document["paths"].items():
            for method in HTTP_METHODS:
                op = item.get(method)
                if op is None:
                    continue
                responses = {}
                for status, response in op.get("responses", {}).items():
                    pointer = f"/paths/{_pointer_escape(template)}/{method}/responses/{status}"
                    while "$ref" in response:
                        pointer = response["$ref"][1:]
                        response = _resolve_local(self.document, response["$ref"])
                    responses[str(status)] = pointer
                segments = template.strip("/").split("/")
                regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
                found.append(
                    Operation(
                        operation_id=op["operationId"],
                        method=method.upper(),
                        template=template,
                        pattern=re.compile(f"^{regex}$"),
                        literal_segments=sum(not s.startswith("{") for s in segments),
                        responses=responses,
                    )
                )
        # A literal segment beats a parameter where two templates could both match.
        found.sort(key=lambda op: -op.literal_segments)
        return found

    def find_operation(self, method: str, path: str) -> Operation | None:
        method = method.upper()
        for op in self.operations:
            if op.method == method and op.pattern.match(path):
                return op
        return None

    def validator(self, pointer: str) -> Draft202012Validator:
        """The compiled validator for the schema at `pointer` (a JSON pointer into the spec)."""
        found = self._validators.get(pointer)
        if found is None:
            found = self._compile(self._inline({"$ref": f"#{pointer}"}, ()))
            with self._lock:
                self._validators[pointer] = found
        return found

    def error_validator(self) -> Draft202012Validator:
        found = self._validators.get("<error>")
        if found is None:
            found = self._compile(self._inline(self._error_schema, ()))
            with self._lock:
                self._validators["<error>"] = found
        return found

    def _compile(self, schema: dict[str, Any]) -> Draft202012Validator:
        return Draft202012Validator(
            schema, registry=self._registry, format_checker=self._format_checker
        )

    def _inline(self, node: Any, refs_above: tuple[str, ...]) -> Any:
        """`node` with its `$ref`s replaced by what they point at: validation runs twice as fast.

        A `$ref` back to a schema it is nested in (Bill -> bills -> Bill) stays a reference,
        resolved through the registry.
        """
        if isinstance(node, list):
            return [self._inline(item, refs_above) for item in node]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in _NAMED_SCHEMAS:
                out[key] = {name: self._inline(v, refs_above) for name, v in value.items()}
            elif key in _SUBSCHEMA_KEYWORDS:
                out[key] = self._inline(value, refs_above)
            elif key not in _REF_TARGETS_ONLY and key != "$ref":
                out[key] = value
        ref = node.get("$ref")
        if ref is None:
            return out
        if ref in refs_above:
            return {**out, "$ref": SPEC_URI + ref}
        target = self._inline(_resolve_local(self.document, ref), (*refs_above, ref))
        return {**out, "allOf": [*out.get("allOf", []), target]} if out else target

    def check(self, request: LedgerRequest, response: LedgerResponse) -> tuple[str, int]:
        """Raise SpecViolation unless the spec allows `response` to `request`.

        Returns the (operationId, status) pair checked, with "(no operation)" for a path or method
        the spec does not have.
        """
        status = response.status
        op = self.find_operation(request.method, request.path)
        if op is None:
            op_id = "(no operation)"
            where = f"{request.method.upper()} {request.path}"
            if status not in self.unmatched_statuses:
                raise SpecViolation(
                    op_id, status, "$", f"{where} is no operation of the spec, so it may only 404"
                )
            self._check_error(op_id, status, response)
            return op_id, status

        op_id = op.operation_id
        pointer = op.responses.get(str(status)) or op.responses.get("default")
        if pointer is None:
            declared = ", ".join(sorted(op.responses))
            raise SpecViolation(op_id, status, "$", f"status not declared (declared: {declared})")
        definition = _resolve_local(self.document, "#" + pointer)
        content: Mapping[str, Any] = definition.get("content") or {}

        if status == 204 or not content:
            if response.body:
                raise SpecViolation(
                    op_id, status, "$", f"the spec declares no body, got {len(response.body)} bytes"
                )
        elif "application/json" in content:
            media = _media_type(response.headers)
            if media != "application/json":
                raise SpecViolation(
                    op_id, status, "$", f"content-type must be application/json, not {media!r}"
                )
            body = _parse_json(op_id, status, response.body)
            self._validate(
                op_id, status, self.validator(f"{pointer}/content/application~1json/schema"), body
            )
            if not 200 <= status < 300:
                self._check_error_body(op_id, status, body)
        else:
            expected = next(iter(content))
            media = _media_type(response.headers)
            if media != expected:
                raise SpecViolation(
                    op_id, status, "$", f"content-type must be {expected}, not {media!r}"
                )

        if not 200 <= status < 300 and "application/json" not in content:
            raise SpecViolation(op_id, status, "$", "the spec gives this error no JSON body")
        return op_id, status

    def _check_error(self, op_id: str, status: int, response: LedgerResponse) -> None:
        media = _media_type(response.headers)
        if media != "application/json":
            raise SpecViolation(
                op_id, status, "$", f"content-type must be application/json, not {media!r}"
            )
        self._check_error_body(op_id, status, _parse_json(op_id, status, response.body))

    def _check_error_body(self, op_id: str, status: int, body: Any) -> None:
        self._validate(op_id, status, self.error_validator(), body)
        if body["statusCode"] != status:
            raise SpecViolation(
                op_id,
                status,
                "$.statusCode",
                f"ErrorMessage.statusCode is {body['statusCode']!r}, the HTTP status is {status}",
            )

    @staticmethod
    def _validate(op_id: str, status: int, validator: Draft202012Validator, body: Any) -> None:
        error = best_match(validator.iter_errors(body))
        if error is not None:
            raise SpecViolation(op_id, status, error.json_path, error.message)


def _parse_json(op_id: str, status: int, raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SpecViolation(op_id, status, "$", f"body is not JSON: {exc}") from None


@functools.cache
def ledger_spec() -> LedgerSpec:
    """The spec, loaded and compiled once per process."""
    return LedgerSpec(load_spec_document())


_stats: Counter[tuple[str, int]] = Counter()
_stats_lock = threading.Lock()


def validate_ledger_response(request: LedgerRequest, response: LedgerResponse) -> None:
    """Raise SpecViolation unless the spec allows `response`; counts what passed.

    A response whose `fault` is set never reaches the client (the transport turns it into a read
    timeout), so there is nothing to check.
    """
    if response.fault is not None:
        return
    key = ledger_spec().check(request, response)
    with _stats_lock:
        _stats[key] += 1


def validation_stats() -> ValidationStats:
    with _stats_lock:
        return ValidationStats(total=sum(_stats.values()), by_operation=dict(_stats))
