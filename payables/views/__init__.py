"""payables views, one module per feature."""

from __future__ import annotations
