"""The quality gate's rules for one commit (the checks are in flows/core/quality.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class GateRules:
    max_shrink: float = 0.5  # a partition may lose at most this share of its rows
    min_rows: int = 20  # … once it has at least this many
    date_range: tuple[date, date] | None = None  # new rows must fall inside (API runs)
