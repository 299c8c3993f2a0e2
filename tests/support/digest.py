"""A content digest of every table of a warehouse: what "the same warehouse" means when two
builds ran at different times. Each table's rows, sorted, without the columns that record when
a run happened (ingest time, fetch time) and with the corpus folder and the replay server's
port written as placeholders, hashed; `ingest_runs` (the run log) is left out.

    python -m tests.support.digest WAREHOUSE [--write FILE]

`tests/support/fixtures/corpus_warehouse.digest.json` holds the digest of the corpus warehouse
as the pre-"Spine v2" code built it (commit f0ce6fb; how: tests/derived/test_corpus_warehouse.py),
so a test shows
the restructured engine builds the same tables from the same inputs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import polars as pl

from flows.core.publish import read_table
from flows.core.warehouse import Warehouse
from tests.conftest import CORPUS
from transforms.schema import TABLES

WHEN = {"ingested_at", "rejected_at", "fetched_at"}  # when a run happened, not what it made
LEFT_OUT = {"ingest_runs"}


def _placeless(df: pl.DataFrame) -> pl.DataFrame:
    """Where the build ran, out of the text: the corpus folder and the replay server's port."""
    text = [c for c, t in df.schema.items() if t == pl.String]
    return df.with_columns(
        pl.col(text)
        .str.replace_all(str(CORPUS), "<corpus>", literal=True)
        .str.replace_all(r"http://127\.0\.0\.1:\d+", "http://<replay>")
    )


def table_digest(wh: Warehouse, name: str) -> dict[str, object]:
    df = read_table(wh, TABLES[name])
    return _digest_rows(_placeless(df.drop([c for c in df.columns if c in WHEN])))


def _digest_rows(df: pl.DataFrame) -> dict[str, object]:
    lists = [c for c, t in df.schema.items() if isinstance(t, pl.List)]  # CSV has no lists
    df = df.with_columns(pl.col(lists).list.join("|"))
    rows = df.sort(df.columns, nulls_last=True).write_csv()
    return {"rows": df.height, "sha256": hashlib.sha256(rows.encode()).hexdigest()}


def digest(wh: Warehouse) -> dict[str, dict[str, object]]:
    """Per table, and for raw_inputs per raw-zone folder too (`raw_inputs/<folder>`)."""
    out = {name: table_digest(wh, name) for name in TABLES if name not in LEFT_OUT}
    raw = _placeless(read_table(wh, TABLES["raw_inputs"]).drop("ingested_at"))
    for (folder,), rows in raw.group_by("source"):
        out[f"raw_inputs/{folder}"] = _digest_rows(rows)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Content digest of every table of a warehouse.")
    ap.add_argument("warehouse", type=Path)
    ap.add_argument("--write", type=Path)
    args = ap.parse_args(argv)
    text = json.dumps(digest(Warehouse.at(args.warehouse)), indent=1, sort_keys=True) + "\n"
    if args.write:
        args.write.write_text(text)
    print(text, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
