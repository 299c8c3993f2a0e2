"""Delta Lake and DuckLake against our Parquet layout, on the same rows, side by side in one run:
the measurement behind the table-format choice of "Outgrowing one machine" (issue #14).

    cd /work/main && uv sync --extra bench    # deltalake, DuckDB's delta and ducklake wheels
    uv run --extra bench python bench/bench_table_format.py --warehouse W [--work DIR]
        [--reps 5] [--races 10] [--json FILE]

Input: the `debates` and `contributions` tables of a built warehouse W (e.g. a `hansard ingest
text` of bench/generate_text.py's corpus), read as Arrow partition by partition. Each format gets
a fresh folder under --work:

  parquet   our layout: one file per (source, house, sitting_year) partition, hive folders
            (what flows/core/publish.py writes; here the files are written by pyarrow, no gate)
  delta     deltalake (delta-rs): one Delta table per table, partitioned the same way; a
            partition replaced by `write_deltalake(mode="overwrite", predicate=...)`
  delta-pinned  the same, read at a version named in the query (`delta_scan(…, version => N)`),
            as views pinned to the last complete publish would read it
  ducklake  DuckDB's ducklake extension, catalog in a DuckDB file, data files beside it,
            `SET PARTITIONED BY` the same keys; a partition replaced by DELETE + INSERT of both
            tables in one transaction
  ducklake-sqlite  the same with the catalog in SQLite (DuckDB's sqlite extension), which
            several processes of one host may open (Postgres is the catalog for several hosts)

Measured per format: the first load (wall, bytes), replacing the largest partition of both tables
(median of --reps), DuckDB read latency of four queries (median of --reps, warm, one connection;
`read_parquet` / `delta_scan` / the attached lake), and --races rounds of two processes replacing
two different partitions at the same moment: how many rounds both commits landed, how many ended
in an error, and whether the rows then equal the expected (0 lost, 0 doubled); then the same
with both processes replacing the same partition. Whether a reader
can see one table's new state beside the other's old one is a property, printed, not timed.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]
from common import dir_bytes, header  # noqa: E402

TABLES = ("debates", "contributions")
LOCK_RETRIES = 8
RETRIES: list[int] = []  # lock retries of this process (a race worker reports them)
KEYS = ("source", "house", "sitting_year")
QUERIES = {
    "count(*) contributions": "select count(*) from {contributions}",
    "one year's words": "select sum(word_count) from {contributions} where sitting_year = {year}",
    "one contribution by id and date": "select speaker_name from {contributions} "
    "where contribution_id = '{cid}' and sitting_date = '{day}'",
    "contributions per debate title (join)": "select d.title, count(*) from {contributions} c "
    "join {debates} d using (debate_id) where c.sitting_year = {year} group by 1 "
    "order by 2 desc limit 5",
}


def read_table(wh: Path, name: str) -> pa.Table:
    part = ds.partitioning(
        pa.schema([("source", pa.string()), ("house", pa.string()), ("sitting_year", pa.int16())]),
        flavor="hive",
    )
    return ds.dataset(wh / "tables" / name, format="parquet", partitioning=part).to_table()


def load_extensions(con: duckdb.DuckDBPyConnection) -> None:
    import duckdb_extensions

    for ext in ("delta", "ducklake", "sqlite"):
        duckdb_extensions.import_extension(ext, con=con)
        con.execute(f"load {ext}")


def where(part: dict) -> str:
    return " and ".join(
        f"{k} = '{v}'" if isinstance(v, str) else f"{k} = {v}" for k, v in part.items()
    )


def rows_of(table: pa.Table, part: dict) -> pa.Table:
    mask = None
    for k, v in part.items():
        m = pc.equal(table[k], v)
        mask = m if mask is None else pc.and_(mask, m)
    return table.filter(mask)


# --------------------------------------------------------------------------- the three formats


class ParquetLayout:
    name = "parquet"

    def __init__(self, root: Path) -> None:
        self.root = root

    def load(self, tables: dict[str, pa.Table]) -> None:
        for name, t in tables.items():
            pq.write_to_dataset(t, self.root / name, partition_cols=list(KEYS))

    def replace(self, part: dict, tables: dict[str, pa.Table]) -> None:
        for name, t in tables.items():  # one file per partition, swapped by a rename
            folder = self.root / name / "/".join(f"{k}={v}" for k, v in part.items())
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / ".new.parquet"
            pq.write_table(t.drop_columns(list(KEYS)), tmp)
            for old in folder.glob("*.parquet"):
                if old != tmp:
                    old.unlink()
            tmp.rename(folder / "part-0.parquet")

    def source(self, name: str) -> str:
        return f"read_parquet('{self.root / name}/**/*.parquet', hive_partitioning = true)"

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect()


class DeltaLayout:
    name = "delta"

    def __init__(self, root: Path) -> None:
        self.root = root

    def load(self, tables: dict[str, pa.Table]) -> None:
        from deltalake import write_deltalake

        for name, t in tables.items():
            write_deltalake(self.root / name, t, partition_by=list(KEYS))

    def replace(self, part: dict, tables: dict[str, pa.Table]) -> None:
        from deltalake import write_deltalake

        for name, t in tables.items():  # one commit per table: not atomic across the two
            write_deltalake(self.root / name, t, mode="overwrite", predicate=where(part))

    def source(self, name: str) -> str:
        return f"delta_scan('{self.root / name}')"

    def connect(self) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect()
        load_extensions(con)
        return con


class DeltaPinnedLayout(DeltaLayout):
    """Delta read at a version named in the query, as views pinned to the versions of the last
    complete publish would read it (a reader then never sees one table's new state beside
    another's old one, though each table commits on its own)."""

    name = "delta-pinned"

    def source(self, name: str) -> str:
        from deltalake import DeltaTable

        version = DeltaTable(self.root / name).version()
        return f"delta_scan('{self.root / name}', version => {version})"


class DuckLakeLayout:
    name = "ducklake"
    catalog = "{root}/catalog.ducklake"  # a DuckDB file: one process at a time

    def __init__(self, root: Path) -> None:
        self.root = root

    def connect(self) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect()
        load_extensions(con)
        self.root.mkdir(parents=True, exist_ok=True)
        con.execute(
            f"attach 'ducklake:{self.catalog.format(root=self.root)}' as lake "
            f"(data_path '{self.root / 'data'}/')"
        )
        return con

    def load(self, tables: dict[str, pa.Table]) -> None:
        con = self.connect()
        for name, t in tables.items():
            con.register("incoming", t)
            con.execute(f"create table lake.{name} as select * from incoming limit 0")
            con.execute(f"alter table lake.{name} set partitioned by ({', '.join(KEYS)})")
            con.execute(f"insert into lake.{name} select * from incoming")
            con.unregister("incoming")
        con.close()

    def replace(self, part: dict, tables: dict[str, pa.Table]) -> None:
        for attempt in range(LOCK_RETRIES):  # SQLite's "database is locked" is not retried by
            con = self.connect()  # DuckLake (its own retries cover conflicting snapshots)
            try:
                con.execute("begin")
                for name, t in tables.items():  # both tables in one transaction
                    con.register(f"incoming_{name}", t)
                    con.execute(f"delete from lake.{name} where {where(part)}")
                    con.execute(f"insert into lake.{name} select * from incoming_{name}")
                con.execute("commit")
                return
            except duckdb.Error as e:
                if "locked" not in str(e) or attempt == LOCK_RETRIES - 1:
                    raise
                RETRIES.append(1)
                time.sleep(0.05 * 2**attempt)
            finally:
                con.close()

    def source(self, name: str) -> str:
        return f"lake.{name}"


class DuckLakeSqliteLayout(DuckLakeLayout):
    name = "ducklake-sqlite"
    catalog = "sqlite:{root}/catalog.sqlite"  # several processes of one host


LAYOUTS: dict[str, Callable[[Path], object]] = {
    "parquet": ParquetLayout,
    "delta": DeltaLayout,
    "delta-pinned": DeltaPinnedLayout,
    "ducklake": DuckLakeLayout,
    "ducklake-sqlite": DuckLakeSqliteLayout,
}


# --------------------------------------------------------------------------- the measurements


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def race_worker(kind: str, root: str, part: dict, wh: str, barrier, out) -> None:  # noqa: ANN001
    tables = {n: rows_of(read_table(Path(wh), n), part) for n in TABLES}
    layout = LAYOUTS[kind](Path(root))
    barrier.wait()
    try:
        layout.replace(part, tables)
        out.put(("ok", len(RETRIES)))
    except Exception as e:  # noqa: BLE001 - the error is what is measured
        out.put(("error", f"{type(e).__name__}: {str(e)[:200]}"))


def count_rows(layout, con, name: str) -> int:  # noqa: ANN001
    return con.execute(f"select count(*) from {layout.source(name)}").fetchone()[0]


def race(kind: str, root: Path, parts: list[dict], wh: Path, rounds: int, expected: dict) -> dict:
    ctx = mp.get_context("spawn")
    landed = errors = retries = 0
    messages: list[str] = []
    for _ in range(rounds):
        barrier, out = ctx.Barrier(2), ctx.Queue()
        procs = [
            ctx.Process(target=race_worker, args=(kind, str(root), p, str(wh), barrier, out))
            for p in parts
        ]
        for p in procs:
            p.start()
        results = [out.get(timeout=600) for _ in procs]
        for p in procs:
            p.join()
        landed += all(r[0] == "ok" for r in results)
        errors += sum(r[0] == "error" for r in results)
        retries += sum(r[1] for r in results if r[0] == "ok")
        messages += [r[1] for r in results if r[0] == "error"]
    layout = LAYOUTS[kind](root)
    con = layout.connect()
    counts = {n: count_rows(layout, con, n) for n in TABLES}
    con.close()
    return {
        "rounds": rounds,
        "both_landed": landed,
        "errors": errors,
        "lock_retries": retries,
        "first_error": messages[0] if messages else None,
        "rows_equal_expected": counts == expected,
        "rows": counts,
    }


def measure(kind: str, root: Path, tables: dict, wh: Path, args: argparse.Namespace) -> dict:
    layout = LAYOUTS[kind](root)
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    load_s = timed(lambda: layout.load(tables))
    contributions = tables["contributions"]
    sizes = (
        pa.table({k: contributions[k] for k in KEYS})
        .group_by(list(KEYS))
        .aggregate([("source", "count")])
        .sort_by([("source_count", "descending")])
    )
    biggest = {k: sizes[k][0].as_py() for k in KEYS}
    second = {k: sizes[k][1].as_py() for k in KEYS}
    part_rows = {n: rows_of(tables[n], biggest) for n in TABLES}
    replace_s = [timed(lambda: layout.replace(biggest, part_rows)) for _ in range(args.reps)]
    con = layout.connect()
    sample = contributions.slice(contributions.num_rows // 2, 1).to_pylist()[0]
    names = {n: layout.source(n) for n in TABLES}
    reads = {}
    for label, sql in QUERIES.items():
        q = sql.format(
            **names,
            year=biggest["sitting_year"],
            cid=sample["contribution_id"],
            day=sample["sitting_date"],
        )
        con.execute(q).fetchall()  # warm
        reads[label] = statistics.median(
            timed(lambda q=q: con.execute(q).fetchall()) for _ in range(args.reps)
        )
    expected = {n: tables[n].num_rows for n in TABLES}
    counts = {n: count_rows(layout, con, n) for n in TABLES}
    con.close()
    races = race(kind, root, [biggest, second], wh, args.races, expected) if args.races else {}
    same = race(kind, root, [biggest, biggest], wh, args.races, expected) if args.races else {}
    return {
        "load_s": load_s,
        "bytes": dir_bytes(root),
        "replace_partition_s": statistics.median(replace_s),
        "reads_s": reads,
        "rows_after_replaces_equal": counts == expected,
        "race": races,
        "race_same_partition": same,
        "atomic_across_tables": kind.startswith("ducklake") or kind == "delta-pinned",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-table-format"))
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--races", type=int, default=10)
    parser.add_argument("--formats", default=",".join(LAYOUTS))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    header(" ".join(sys.argv))
    tables = {n: read_table(args.warehouse, n) for n in TABLES}
    print(f"rows: { ({n: t.num_rows for n, t in tables.items()}) }")
    results = {}
    for kind in args.formats.split(","):
        results[kind] = measure(kind, args.work / kind, tables, args.warehouse, args)
        print(kind, json.dumps(results[kind], indent=1, default=str), flush=True)
    rows = [
        [
            kind,
            f"{r['load_s']:.2f}",
            f"{r['bytes'] / 1e6:.0f}",
            f"{r['replace_partition_s']:.3f}",
            *(f"{v * 1000:.0f}" for v in r["reads_s"].values()),
            f"{r['race'].get('both_landed', '-')}/{r['race'].get('rounds', '-')}",
            str(r["race"].get("lock_retries", "-")),
            str(r["race"].get("rows_equal_expected", "-")),
            f"{r['race_same_partition'].get('both_landed', '-')}/"
            f"{r['race_same_partition'].get('errors', '-')}/"
            f"{r['race_same_partition'].get('rows_equal_expected', '-')}",
            "yes" if r["atomic_across_tables"] else "no",
        ]
        for kind, r in results.items()
    ]
    heads = [
        "format",
        "load s",
        "MB",
        "replace s",
        *(f"{q} ms" for q in QUERIES),
        "races both landed",
        "lock retries",
        "rows right",
        "same partition: both landed/errors/rows right",
        "readers see one snapshot of both tables",
    ]
    print("| " + " | ".join(heads) + " |\n|" + "---|" * len(heads))
    print("\n".join("| " + " | ".join(r) + " |" for r in rows))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
