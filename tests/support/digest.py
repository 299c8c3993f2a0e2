"""A content digest of every table of a warehouse: what "the same warehouse" means when two
builds ran at different times. Each table's rows, sorted, without the columns that record when
a run happened (ingest time, fetch time), hashed; `ingest_runs` (the run log) is left out.

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

from flows.core.publish import read_table
from flows.core.warehouse import Warehouse
from transforms.schema import TABLES

WHEN = {"ingested_at", "rejected_at", "fetched_at"}  # when a run happened, not what it made
LEFT_OUT = {"ingest_runs"}


def table_digest(wh: Warehouse, name: str) -> dict[str, object]:
    df = read_table(wh, TABLES[name])
    df = df.drop([c for c in df.columns if c in WHEN])
    rows = df.sort(df.columns, nulls_last=True).write_csv()
    return {"rows": df.height, "sha256": hashlib.sha256(rows.encode()).hexdigest()}


def digest(wh: Warehouse) -> dict[str, dict[str, object]]:
    return {name: table_digest(wh, name) for name in TABLES if name not in LEFT_OUT}


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
