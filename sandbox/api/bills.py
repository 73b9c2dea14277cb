"""Placeholder until the bills operations land."""

from __future__ import annotations
