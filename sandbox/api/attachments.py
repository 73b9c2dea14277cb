"""Placeholder until the attachments operations land."""

from __future__ import annotations
