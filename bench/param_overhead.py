"""Measure what Prefect does with a task's parameters when the flow passes it the parsed rows.

ingest_text calls `publish_tables(wh, parsed, ...)` with `parsed` = every row of the run as
Python dicts. Before the task body runs, Prefect walks that argument twice with
`visit_collection`: `collect_task_run_inputs_sync` (dependency tracking, on the caller's side)
and `TaskRunEngine._resolve_parameters` (resolving futures, rebuilding the structure). This
script parses a corpus with the pipeline's own functions and times both walks directly, with
and without `prefect.utilities.annotations.quote`, which Prefect documents for skipping them.

    uv run python bench/param_overhead.py DATA_DIR
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_PREFECT_HOME = tempfile.TemporaryDirectory(prefix="hansard-bench-prefect-")
os.environ.setdefault("PREFECT_HOME", _PREFECT_HOME.name)
for k, v in {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_LEVEL": "WARNING",
}.items():
    os.environ.setdefault(k, v)


def rss() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    from prefect.utilities.annotations import quote
    from prefect.utilities.collections import visit_collection
    from prefect.utilities.engine import collect_task_run_inputs_sync, resolve_to_final_result

    from flows import pipeline
    from flows.core.warehouse import Warehouse

    data = Path(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        wh = Warehouse.at(Path(tmp) / "wh")
        files, _ = pipeline.discover([data])
        stored = pipeline.store_files(wh, files)
        t0 = time.perf_counter()
        parsed = pipeline.parse_entries(wh, stored.new)
        parse_s = time.perf_counter() - t0
    rows = sum(len(v) for v in parsed.rows.values())
    print(
        f"{len(files)} files parsed in {parse_s:.2f} s: {rows} rows "
        f"({parsed.count('contributions')} contributions); peak RSS {rss():.0f} MB"
    )

    for label, arg in (("parsed", parsed), ("quote(parsed)", quote(parsed))):
        t0 = time.perf_counter()
        collect_task_run_inputs_sync(arg)
        t1 = time.perf_counter()
        visit_collection(
            arg,
            visit_fn=resolve_to_final_result,
            return_data=True,
            max_depth=-1,
            remove_annotations=True,
            context={"parameter_name": "parsed"},
        )
        t2 = time.perf_counter()
        print(
            f"{label:>14}: collect_task_run_inputs_sync {t1 - t0:6.2f} s; "
            f"_resolve_parameters' visit_collection {t2 - t1:6.2f} s; peak RSS {rss():.0f} MB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
