"""Placeholder until the suppliers operations land."""

from __future__ import annotations
