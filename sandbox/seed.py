"""Placeholder until the deterministic seed lands."""

from __future__ import annotations

from typing import Any


def seed_connection(connection: Any, *, bills: int, suppliers: int, seed: int) -> None:
    raise NotImplementedError
