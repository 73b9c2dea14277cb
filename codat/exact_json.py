"""JSON in and out of Codat without ever passing money through a float."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from json.encoder import encode_basestring, encode_basestring_ascii

from codat.errors import CodatError


def _reject_constant(name: str) -> object:
    # NaN and Infinity are not JSON; Python's parser accepts them unless told otherwise.
    raise ValueError(f"{name} is not a JSON number")


def loads(text: str | bytes) -> object:
    """Parse a JSON document, reading every non-integer number as an exact Decimal."""
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CodatError(f"Codat sent a response that is not valid JSON ({exc}).") from exc


def dumps(value: object, *, ensure_ascii: bool = False) -> str:
    """Serialise to JSON, writing Decimals as exact JSON numbers and refusing floats.

    Compact (no spaces). `ensure_ascii` escapes every non-ASCII character as `json.dumps` does.
    """
    parts: list[str] = []
    # The quoting json.dumps applies to a str, without its per-call overhead.
    _encode(value, parts, encode_basestring_ascii if ensure_ascii else encode_basestring)
    return "".join(parts)


def _encode(value: object, out: list[str], quote: Callable[[str], str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} cannot be sent as a JSON number")
        # "f" keeps every digit given (Decimal("100.10") -> 100.10) and never uses an exponent.
        out.append(format(value, "f"))
    elif isinstance(value, float):
        raise TypeError("floats are never sent to Codat; use Decimal for amounts")
    elif isinstance(value, int):
        out.append(str(int(value)))
    elif isinstance(value, str):
        out.append(quote(value))
    elif isinstance(value, bytes | bytearray):
        raise TypeError("bytes cannot be serialised to JSON")
    elif isinstance(value, Mapping):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                raise TypeError(f"JSON object keys must be strings, not {type(key).__name__}")
            if index:
                out.append(",")
            out.append(quote(key))
            out.append(":")
            _encode(item, out, quote)
        out.append("}")
    elif isinstance(value, Sequence):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _encode(item, out, quote)
        out.append("]")
    else:
        raise TypeError(f"{type(value).__name__} cannot be serialised to JSON")
