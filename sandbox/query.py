"""Codat's `query` language for the sandbox ledger: parse once, then match documents.

Grammar and behaviour follow codat-docs `using-the-api/querying.md` (notes in
`shared/docs/codat-api.md` §3 and §9). Where the docs are silent we chose:

- **Case.** `=`, `!=` and `~` compare strings case-insensitively (`str.casefold`). The docs never
  say, but their own example `{totalAmount > 100 || totalAmount < 50} && status != paid` only
  makes sense against the status `Paid` if case is ignored. Property names are matched exactly as
  given (camelCase, as every docs example writes them).
- **Precedence.** `&&` binds tighter than `||`, as in C, C# and SQL: `a=1||b=1&&c=1` means
  `a=1||{b=1&&c=1}`. The docs only say "to combine AND and OR queries, use curly braces", so
  mixing them without braces is accepted rather than rejected.
- **Null.** The docs say "we do not currently support querying on null fields", so there is no
  null literal (`x=null` compares with the text "null"). A missing or null value satisfies only
  `!=`: it is not equal to anything, and every other comparison with it is false.
- **Quoting.** The docs show no quoting, so a quote is an ordinary character of the value. A value
  runs to the next `&&`, `||`, `}` or the end of the query, trimmed of surrounding whitespace.
- **Arrays.** "We do not support querying inside arrays": a path that meets a list, or ends on a
  list or object, matches nothing (not even `!=`).
- **Typing comes from the document value.** Numbers (int or Decimal, never float) compare as
  Decimal; booleans against `true`/`false`; a string that is an ISO-8601 date or date-time compares
  chronologically when the query value is one too (a naive time or bare date counts as UTC: the
  sandbox knows no business time zone); other strings compare as text. A query value that cannot
  be compared with the document value is "Malformed query", so `matches` can raise `QueryError`.
  `~` (contains) applies to strings only; on numbers and booleans it simply does not match.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Any, Final

MAX_QUERY_LENGTH: Final = 2048

MALFORMED: Final = "Error parsing query - Malformed query."


class QueryError(Exception):
    """A query Codat would reject with 400 Malformed-Query; `message` is Codat's exact text."""

    def __init__(self, message: str = MALFORMED) -> None:
        super().__init__(message)
        self.message = message


class Op(Enum):
    EQ = "="
    NE = "!="
    CONTAINS = "~"
    GT = ">"
    LT = "<"
    GE = ">="
    LE = "<="


_ORDERING: Final[Mapping[Op, Callable[[Any, Any], bool]]] = {
    Op.EQ: operator.eq,
    Op.NE: operator.ne,
    Op.GT: operator.gt,
    Op.LT: operator.lt,
    Op.GE: operator.ge,
    Op.LE: operator.le,
}

# Markers for values a path cannot be compared with: absent (or null on the way) versus a list or
# object, which the docs say cannot be queried.
_MISSING: Final = object()
_UNQUERYABLE: Final = object()

# ISO-8601 forms Codat emits (spec `DateTime`): bare dates, unqualified local times, `Z` and
# `±hh:mm` offsets, up to .NET's seven fractional digits. The regex keeps fromisoformat from
# accepting other ISO shapes such as week dates or `20230423`.
_DATETIME_RE: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
# Plain decimal notation only: no exponent, NaN or Infinity, which Decimal() would accept.
_NUMBER_RE: Final = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
# One clause: a path (no whitespace or operator characters), the longest operator, the value.
# Alternation order puts the two-character operators first so `>=` is never read as `>`.
_CLAUSE_RE: Final = re.compile(r"\s*([^\s=!<>~]+)\s*(!=|>=|<=|=|>|<|~)\s*(.*?)\s*", re.DOTALL)
# Where a clause's value ends.
_CLAUSE_END_RE: Final = re.compile(r"&&|\|\||[{}]")


def _parse_instant(text: str) -> datetime | None:
    """Read an ISO-8601 date or date-time as an aware datetime (naive means UTC), else None."""
    if not _DATETIME_RE.fullmatch(text):
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:  # shaped like a date but not one, e.g. 2023-02-30
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# Document strings repeat across a listing (statuses, dates of one sync), so memoise the parse.
_document_instant: Final = lru_cache(maxsize=8192)(_parse_instant)


@dataclass(frozen=True, slots=True)
class Clause:
    """`path<op>value`, with the value pre-parsed once for each type it may be compared as."""

    path: tuple[str, ...]
    op: Op
    text: str
    folded: str
    number: Decimal | None
    instant: datetime | None
    boolean: bool | None

    def matches(self, document: Mapping[str, Any]) -> bool:
        """Whether the document satisfies this clause; raise QueryError on a type mismatch."""
        value = _resolve(document, self.path)
        if value is _MISSING:
            return self.op is Op.NE
        if value is _UNQUERYABLE:
            return False
        # bool before int: bool is a subclass of int.
        if isinstance(value, bool):
            return self._match_bool(value)
        if isinstance(value, int | Decimal):
            return self._match_number(value)
        if isinstance(value, str):
            return self._match_str(value)
        return False

    def _match_bool(self, value: bool) -> bool:
        if self.op is Op.CONTAINS:
            return False
        if self.boolean is None or self.op not in (Op.EQ, Op.NE):
            raise QueryError
        return (value == self.boolean) is (self.op is Op.EQ)

    def _match_number(self, value: int | Decimal) -> bool:
        if self.op is Op.CONTAINS:
            return False
        if self.number is None:
            raise QueryError
        return _ORDERING[self.op](value, self.number)

    def _match_str(self, value: str) -> bool:
        if self.op is Op.CONTAINS:
            return self.folded in value.casefold()
        if self.instant is not None:
            moment = _document_instant(value)
            if moment is not None:
                return _ORDERING[self.op](moment, self.instant)
        if self.op is Op.EQ:
            return value.casefold() == self.folded
        if self.op is Op.NE:
            return value.casefold() != self.folded
        raise QueryError  # >, <, >=, <= on text that is not a date


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]

    def matches(self, document: Mapping[str, Any]) -> bool:
        """Whether every child matches (short-circuits)."""
        # A plain loop rather than all(genexpr): one stack frame per nesting level, since a
        # 2047-character query can nest a few hundred groups deep.
        for child in self.children:  # noqa: SIM110
            if not child.matches(document):
                return False
        return True


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]

    def matches(self, document: Mapping[str, Any]) -> bool:
        """Whether any child matches (short-circuits)."""
        # Same loop as And, for the same stack-depth reason.
        for child in self.children:  # noqa: SIM110
            if child.matches(document):
                return True
        return False


Node = Clause | And | Or


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query; build it with `parse_query`."""

    root: Node

    def matches(self, document: Mapping[str, Any]) -> bool:
        """Whether the document satisfies the query; raise QueryError on a type mismatch."""
        return self.root.matches(document)


def _resolve(document: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = document
    for part in path:
        if value is None:
            return _MISSING
        if not isinstance(value, Mapping):
            return _UNQUERYABLE  # a list (or scalar) on the way: no querying inside arrays
        value = value.get(part, _MISSING)
        if value is _MISSING:
            return _MISSING
    if value is None:
        return _MISSING
    if isinstance(value, Mapping | list | tuple):
        return _UNQUERYABLE
    return value


def _make_clause(segment: str) -> Clause:
    match = _CLAUSE_RE.fullmatch(segment)
    if match is None:
        raise QueryError
    path, symbol, text = match.groups()
    # An empty value, or one starting with another operator (`status==`, `a=>1`, `a<>1`), is a
    # dangling or doubled operator rather than a value.
    if not text or text[0] in "=<>~" or text.startswith("!="):
        raise QueryError
    op = Op(symbol)
    number = Decimal(text) if _NUMBER_RE.fullmatch(text) else None
    instant = _parse_instant(text)
    # Ordering needs a number or a date on both sides, so `status>Open` can be refused now,
    # whatever the documents hold.
    if op in (Op.GT, Op.LT, Op.GE, Op.LE) and number is None and instant is None:
        raise QueryError
    folded = text.casefold()
    boolean = {"true": True, "false": False}.get(folded)
    return Clause(tuple(path.split(".")), op, text, folded, number, instant, boolean)


def _tokens(text: str) -> list[str | Clause]:
    """Split a query into "{", "}", "&&", "||" and clauses."""
    tokens: list[str | Clause] = []
    pos, end = 0, len(text)
    while pos < end:
        if text[pos].isspace():
            pos += 1
            continue
        if text[pos] in "{}":
            tokens.append(text[pos])
            pos += 1
            continue
        if text.startswith(("&&", "||"), pos):
            tokens.append(text[pos : pos + 2])
            pos += 2
            continue
        stop = _CLAUSE_END_RE.search(text, pos)
        clause_end = stop.start() if stop else end
        tokens.append(_make_clause(text[pos:clause_end]))
        pos = clause_end
    return tokens


def _combine(op: str, left: Node, right: Node) -> Node:
    # Flatten runs of the same connective (both are associative) to keep the tree shallow.
    kind = And if op == "&&" else Or
    children = (
        *(left.children if isinstance(left, kind) else (left,)),
        *(right.children if isinstance(right, kind) else (right,)),
    )
    return kind(children)


_PRECEDENCE: Final = {"&&": 2, "||": 1}


def _build(tokens: list[str | Clause]) -> Node:
    """Shunting-yard over the tokens; iterative, so deep nesting cannot exhaust the stack."""
    operands: list[Node] = []
    operators: list[str] = []

    def reduce() -> None:
        right, left = operands.pop(), operands.pop()
        operands.append(_combine(operators.pop(), left, right))

    expect_operand = True
    for part in tokens:
        if isinstance(part, Clause):
            if not expect_operand:
                raise QueryError  # a clause straight after a group, e.g. `{a=1}b=2`
            operands.append(part)
            expect_operand = False
        elif part == "{":
            if not expect_operand:
                raise QueryError  # "{" straight after a clause
            operators.append(part)
        elif expect_operand:
            raise QueryError  # "}", "&&" or "||" where a clause should be: empty group or dangling
        elif part == "}":
            while operators and operators[-1] != "{":
                reduce()
            if not operators:
                raise QueryError  # unbalanced "}"
            operators.pop()
        else:
            while (
                operators
                and operators[-1] != "{"
                and (_PRECEDENCE[operators[-1]] >= _PRECEDENCE[part])
            ):
                reduce()
            operators.append(part)
            expect_operand = True
    if expect_operand:
        raise QueryError  # empty query or trailing operator
    while operators:
        if operators[-1] == "{":
            raise QueryError  # unbalanced "{"
        reduce()
    return operands[0]


def _paths(root: Node) -> list[tuple[str, ...]]:
    """The clause paths in query order (iterative, like `_build`)."""
    paths: list[tuple[str, ...]] = []
    pending: list[Node] = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, Clause):
            paths.append(node.path)
        else:
            pending.extend(reversed(node.children))
    return paths


def parse_query(text: str, *, dataset: str, properties: Collection[str]) -> Query:
    """Parse an already URL-decoded Codat query, or raise QueryError with Codat's error text.

    An absent or empty `query` parameter means "no filter"; callers should not pass it here.
    """
    if len(text) >= MAX_QUERY_LENGTH:
        raise QueryError
    root = _build(_tokens(text))
    # Syntax is checked for the whole query before any property, so a query with both faults
    # reports "Malformed query".
    for path in _paths(root):
        name = ".".join(path)
        if name not in properties:
            message = f"Error parsing query - Could not resolve property {name} on {dataset}"
            raise QueryError(message)
    return Query(root)
