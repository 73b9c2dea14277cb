"""codat.exact_json writes what json.dumps writes, except that Decimals are exact numbers.

The sandbox serves and stores its JSON through it with ensure_ascii=True, and the client sends its
requests through it as UTF-8, so both spellings are pinned against the standard library here
(the Decimal and refusal cases are in test_types.py).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codat import exact_json

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=50)
@given(JSON_VALUES, st.booleans())
def test_dumps_matches_the_standard_library_for_everything_but_decimals(
    value: Any, ensure_ascii: bool
) -> None:
    expected = json.dumps(value, separators=(",", ":"), ensure_ascii=ensure_ascii)

    assert exact_json.dumps(value, ensure_ascii=ensure_ascii) == expected


@pytest.mark.parametrize(
    ("ensure_ascii", "expected"),
    [
        (False, '{"name":"Caf\u00e9 \u2013 M\u00fcller","amount":-0.00}'),
        (True, '{"name":"Caf\\u00e9 \\u2013 M\\u00fcller","amount":-0.00}'),
    ],
)
def test_ensure_ascii_escapes_only_the_strings(ensure_ascii: bool, expected: str) -> None:
    value = {"name": "Caf\u00e9 \u2013 M\u00fcller", "amount": Decimal("-0.00")}

    assert exact_json.dumps(value, ensure_ascii=ensure_ascii) == expected
