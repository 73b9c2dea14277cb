"""Placeholder until the mapping operations land."""

from __future__ import annotations
