"""The strict JSON reader behind codat/types.py's `from_json` methods, the spec's date-time forms,
and the two helpers the prototypes' `to_json` and `__post_init__` share.

Private to `codat` (the architecture contracts keep it so): its names serve the package's own
modules. A wrong-shaped response raises `CodatError` naming the field's path and what was wrong
with it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol, TypeVar

from codat.errors import CodatError

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
E = TypeVar("E", bound=StrEnum)

EMPTY_TAGS: Mapping[str, str] = MappingProxyType({})


# ---------------------------------------------------------------------------------------------
# Dates


# The spec's "Date time" strings: `2023-04-23T00:00:00`, `...00.000Z`, `...Z`, `-05:00` offsets and
# plain `2022-10-23` all appear in its examples. fromisoformat alone would also take week dates and
# other forms Codat never sends, so the shape is checked first.
_ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?",
    re.ASCII,
)


def parse_datetime(text: str) -> datetime:
    """Parse one of Codat's ISO-8601 forms to an aware datetime (naive values are taken as UTC)."""
    if not _ISO_DATETIME.fullmatch(text):
        raise ValueError(f"{text!r} is not an ISO-8601 date-time")
    value = datetime.fromisoformat(text)
    # The spec says unqualified times are local to the business; billpay stores them as UTC so
    # that the calendar date of issue/due dates is kept exactly as the ledger shows it.
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def format_datetime(value: datetime | date) -> str:
    """Format a date as Codat's unqualified midnight, or an aware datetime in UTC with `Z`."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware datetime or a date")
        text = value.astimezone(UTC).isoformat(timespec="milliseconds")
        return text.removesuffix("+00:00") + "Z"
    return f"{value.isoformat()}T00:00:00"


# ---------------------------------------------------------------------------------------------
# Strict reading of JSON objects


def shape_error(path: str, problem: str) -> CodatError:
    return CodatError(f"Codat sent an unexpected response: {path} {problem}.")


def type_name(value: object) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean"}.get(
        type(value), "number" if isinstance(value, int | Decimal) else type(value).__name__
    )


class Parser(Protocol[T_co]):
    """A result class's `from_json`."""

    def __call__(self, data: object, *, path: str) -> T_co: ...


class Fields:
    """A JSON object being read field by field; every problem names the field's path."""

    __slots__ = ("_data", "path")

    def __init__(self, data: object, path: str) -> None:
        if not isinstance(data, dict):
            raise shape_error(path, f"must be an object, not {type_name(data)}")
        self._data: dict[str, object] = data
        self.path = path

    def at(self, key: str) -> str:
        return f"{self.path}.{key}"

    def _value(self, key: str, required: bool) -> object:
        value = self._data.get(key)
        if value is None and required:
            problem = "must not be null" if key in self._data else "is missing"
            raise shape_error(self.at(key), problem)
        return value

    def _wrong(self, key: str, expected: str, value: object) -> CodatError:
        return shape_error(self.at(key), f"must be {expected}, not {type_name(value)}")

    def opt_text(self, key: str, *, required: bool = False) -> str | None:
        value = self._value(key, required)
        if value is None or isinstance(value, str):
            return value
        raise self._wrong(key, "a string", value)

    def text(self, key: str) -> str:
        value = self.opt_text(key, required=True)
        assert value is not None
        return value

    def opt_money(self, key: str, *, required: bool = False) -> Decimal | None:
        value = self._value(key, required)
        if value is None or isinstance(value, Decimal):
            return value
        # JSON integers arrive as int; amounts are Decimal either way.
        if isinstance(value, int) and not isinstance(value, bool):
            return Decimal(value)
        raise self._wrong(key, "a number", value)

    def money(self, key: str) -> Decimal:
        value = self.opt_money(key, required=True)
        assert value is not None
        return value

    def opt_integer(self, key: str, *, required: bool = False) -> int | None:
        value = self._value(key, required)
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        raise self._wrong(key, "an integer", value)

    def integer(self, key: str) -> int:
        value = self.opt_integer(key, required=True)
        assert value is not None
        return value

    def opt_flag(self, key: str) -> bool | None:
        value = self._value(key, False)
        if value is None or isinstance(value, bool):
            return value
        raise self._wrong(key, "true or false", value)

    def opt_when(self, key: str, *, required: bool = False) -> datetime | None:
        value = self.opt_text(key, required=required)
        if value is None:
            return None
        try:
            return parse_datetime(value)
        except ValueError:
            raise shape_error(
                self.at(key), f"must be an ISO-8601 date-time, not {value!r}"
            ) from None

    def when(self, key: str) -> datetime:
        value = self.opt_when(key, required=True)
        assert value is not None
        return value

    def opt_choice(self, key: str, enum: type[E], *, required: bool = False) -> E | None:
        value = self.opt_text(key, required=required)
        if value is None:
            return None
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(member.value for member in enum)
            raise shape_error(self.at(key), f"must be one of {allowed}, not {value!r}") from None

    def choice(self, key: str, enum: type[E]) -> E:
        value = self.opt_choice(key, enum, required=True)
        assert value is not None
        return value

    def opt_fields(self, key: str, *, required: bool = False) -> Fields | None:
        value = self._value(key, required)
        return None if value is None else Fields(value, self.at(key))

    def fields(self, key: str) -> Fields:
        value = self.opt_fields(key, required=True)
        assert value is not None
        return value

    def opt_nested(self, key: str, parser: Parser[T]) -> T | None:
        value = self._value(key, False)
        return None if value is None else parser(value, path=self.at(key))

    def nested(self, key: str, parser: Parser[T]) -> T:
        return parser(self._value(key, True), path=self.at(key))

    def items(self, key: str, parser: Parser[T], *, required: bool = False) -> tuple[T, ...]:
        """Parse each item of an array; absent or null reads as empty unless required."""
        value = self._value(key, required)
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self._wrong(key, "an array", value)
        return tuple(
            parser(item, path=f"{self.at(key)}[{index}]") for index, item in enumerate(value)
        )

    def texts(self, key: str) -> tuple[str, ...]:
        return self.items(key, read_text)

    def text_map(self, key: str) -> Mapping[str, str]:
        obj = self.opt_fields(key)
        if obj is None:
            return EMPTY_TAGS
        return MappingProxyType({name: obj.text(name) for name in obj._data})


def read_text(data: object, *, path: str) -> str:
    if not isinstance(data, str):
        raise shape_error(path, f"must be a string, not {type_name(data)}")
    return data


# ---------------------------------------------------------------------------------------------
# What the prototypes share


def check_decimal(owner: str, name: str, value: object, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, Decimal):
        raise TypeError(f"{owner}.{name} must be a Decimal, not {type(value).__name__}")


def drop_none(data: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in data.items() if value is not None}
