"""Partition values in paths: `key=value` folders, with Hive's name for a null value.

A partition key may be null (a transcript page whose header does not say the date or the
House). Such rows live under `key=__HIVE_DEFAULT_PARTITION__`, which DuckDB, polars, Spark and
pyarrow all read back as null. Partitions sort with nulls last.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

Partition = tuple[object, ...]
NULL = "__HIVE_DEFAULT_PARTITION__"


def segment(key: str, value: object) -> str:
    return f"{key}={NULL if value is None else value}"


def value(dtype: pl.DataType, text: str) -> object:
    if text == NULL:
        return None
    return int(text) if dtype.is_integer() else text


def order(part: Partition) -> tuple[tuple[bool, object], ...]:
    """Sort key: values in order, a null after every value."""
    return tuple((v is None, v) for v in part)


def ordered(parts: Iterable[Partition]) -> list[Partition]:
    return sorted(parts, key=order)


def is_value(column: str, v: object) -> pl.Expr:
    """Rows whose `column` is `v` (null matches null)."""
    import polars as pl

    return pl.col(column).is_null() if v is None else pl.col(column) == v
