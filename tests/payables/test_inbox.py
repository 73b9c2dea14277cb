"""The inbox's pure display helpers (payables/inbox.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from payables.inbox import short_amount


@pytest.mark.parametrize(
    ("amount", "short"),
    [
        ("0", "0"),
        ("12.00", "12"),
        ("980.10", "980"),
        ("999.49", "999"),
        ("4136.79", "4.1k"),
        ("12000", "12k"),
        ("99999.99", "100k"),
        ("2500000", "2.5M"),
        ("3000000000", "3bn"),
        ("-4136.79", "-4.1k"),
    ],
)
def test_a_bars_label_fits_in_five_characters(amount: str, short: str) -> None:
    assert short_amount(Decimal(amount)) == short
    assert len(short) <= 5
