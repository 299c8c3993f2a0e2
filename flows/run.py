"""The run engine: how every source, and rebuild, goes from raw inputs to published tables.

    lock → run record → acquire (the action stores inputs in the raw zone) → raw_inputs →
    plan (the work items not yet published as they are now, from the ledger) → batches bounded
    in bytes, parsed by the runner's workers into the spill area → merged into their partitions
    → quality gate → swapped in → ledger → … the next commit group … → derived tables → views

Memory is set by the batch size (one batch's rows in a worker) and by one partition (the merge
and derive tasks), not by the input or the warehouse. Commit groups of about `commit_mb` of
input are published one after another, so an interrupted run keeps every group it committed
and the next run carries on from the raw zone: what the ledger does not know as published is
parsed again (rows merge by key, so nothing is doubled). A plan that replaces a source's rows
(rebuild, a superseded transcript page) is one commit; an intent marker makes the next run
finish it if it was interrupted.

A warehouse records the schema version its tables were written with (state/schema_version).
When the code's SCHEMA_VERSION differs (an upgrade added or changed columns), the next run of
any kind first marks every source for replacement and rebuilds its tables from the raw zone,
then records the new version: nothing is mixed, and a run killed half-way carries on.

The engine is plain Python. The CLI runs it in-process (no Prefect); `flows/deployments.py`
runs the same function inside Prefect flows. It knows no source: the catalog is passed in.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flows.core import faults, ledger, partition, runs
from flows.core.lock import WarehouseBusy, writer_lock
from flows.core.progress import phase
from flows.core.runner import (
    InlineExecutor,
    RunnerSettings,
    bounded,
    make_executor,
    release_memory,
)
from flows.core.source import Acquired, Catalog, Job, Plan, Reiterable, Scope, Source, WorkItem
from flows.core.warehouse import Warehouse, write_atomic

if TYPE_CHECKING:
    from flows.core.publish import Plan as StagePlan
    from flows.core.publish import Staged
    from flows.core.rules import GateRules

LOG = logging.getLogger("hansard.run")
MB = 1 << 20


@dataclass(frozen=True)
class RunOptions:
    batch_mb: float = 32.0  # raw input per parse task
    commit_mb: float = 1024.0  # raw input per commit group (merge plans)
    max_items: int = 4000  # work items per parse task at most
    runner: RunnerSettings = field(default_factory=RunnerSettings)
    max_shrink: float = 0.5


@dataclass
class Counts:
    items: int = 0
    batches: int = 0
    commits: int = 0
    debates: int = 0
    contributions: int = 0
    rejects: int = 0
    partitions_written: int = 0
    debates_new: int = 0
    debates_changed: int = 0
    debates_unchanged: int = 0
    replaced: bool = False
    rows: dict[str, int] = field(default_factory=dict)  # rows parsed, per table
    notes: list[str] = field(default_factory=list)

    def add(self, other: Counts) -> None:
        for name, value in asdict(other).items():
            if isinstance(value, bool):
                setattr(self, name, getattr(self, name) or value)
            elif isinstance(value, dict):
                for k, v in value.items():
                    self.rows[k] = self.rows.get(k, 0) + v
            elif isinstance(value, list):
                self.notes.extend(value)
            else:
                setattr(self, name, getattr(self, name) + value)


@dataclass
class RunSummary:
    run_id: str
    flow: str
    source: str
    warehouse: str
    duckdb: str
    inputs_seen: int
    inputs_new: int
    inputs_unchanged: int
    items: int
    batches: int
    commits: int
    debates: int
    contributions: int
    rejects: int
    partitions_written: int
    debates_new: int
    debates_changed: int
    debates_unchanged: int
    derived: str
    rows: dict[str, int]
    resolution: Any  # flows.derived.resolution.ResolutionSummary
    seconds: dict[str, float]
    details: dict[str, Any]
    message: str
    text: str = ""  # the action's one-line account of the run (what the CLI prints)

    def describe(self) -> str:
        return self.text or self.message

    def __getattr__(self, name: str) -> Any:  # noqa: ANN401 (source-specific counters)
        details = self.__dict__.get("details") or {}
        if name in details:
            return details[name]
        raise AttributeError(name)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        resolution = self.resolution
        data["resolution"] = asdict(resolution) if resolution is not None else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunSummary:
        """Back from to_dict (a Prefect flow's result): `resolution` stays a dict."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


class Steps:
    """Wall time per step of a run."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start


class RunContext:
    """What an action and the engine's steps share during one run."""

    def __init__(
        self, wh: Warehouse, catalog: Catalog, options: RunOptions, run: runs.RunRecord
    ) -> None:
        self.wh, self.catalog, self.options, self.run = wh, catalog, options, run
        self.steps = Steps()
        self.log = LOG
        self._pool: Executor | None = None
        self._pool_load = 0.0  # bytes of input the pool's phases were given
        self.upgraded = Counts()  # what a schema upgrade rebuilt before the run's own work

    def executor(self, tasks: int, size: float | None = None) -> Executor:
        """The runner for one phase of `tasks` tasks over about `size` bytes of input (parse,
        merge, one deriver): with `auto`, inline when there is one task or less than a batch of
        input (a worker pool costs more to start than such work takes). Worker processes are
        replaced by new ones for the next phase once they have worked through `commit_mb` of
        input: a process keeps the high-water mark of what it ran (allocators seldom give
        memory back), and a big parse's mark beside a derive's would add up; a small run keeps
        one pool (starting one costs a second or two)."""
        settings = self.options.runner
        small = tasks <= 1 or (size is not None and size < self.options.batch_mb * MB)
        if settings.kind == "inline" or (settings.kind == "auto" and small):
            return InlineExecutor()
        worn = self._pool_load >= self.options.commit_mb * MB
        if self._pool is not None and worn and settings.kind in ("auto", "processes"):
            self.close()
        if self._pool is None:
            self._pool = make_executor(settings, max(tasks, settings.size))
        self._pool_load += size or 0
        return self._pool

    @property
    def in_flight(self) -> int:
        return self.options.runner.size + 1

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._pool_load = 0.0


# --- the run ------------------------------------------------------------------------------


@contextmanager
def recorded(
    wh: Warehouse,
    catalog: Catalog,
    options: RunOptions,
    flow: str,
    source: str,
    *,
    upgrade: bool = True,
    alone: bool = False,
) -> Iterator[RunContext]:
    """The frame of every run: the writer lock, the run record (failed runs too, the views
    then still showing the last good publish). Runs share the warehouse with other runs; a
    rebuild (`alone`) and a schema upgrade need it alone. A run that starts alone first
    cleans up after runs that are gone (their staging, their records still `running`)."""
    with writer_lock(wh.lock_path, flow, shared=not alone) as held:
        if held.alone:
            clean_staging(wh)
            adopt_legacy_tables(wh)
            if runs.mark_crashed(wh):
                LOG.warning("a previous run ended without an outcome: marked crashed")
        stale = stale_schema(wh)  # before this run's record makes a table
        if stale is None:
            record_schema(wh)  # a new warehouse is of this version from its first run on
        if alone:
            pass  # kept to the end
        elif not (stale and upgrade):
            held.share()
        elif held.alone:
            held.keep()  # the upgrade below needs it alone
        else:
            raise WarehouseBusy(
                f"the warehouse's tables were written with schema {stale} and need rebuilding, "
                "which needs the warehouse alone: other runs are writing to it. Wait for them "
                "to finish."
            )
        record = runs.RunRecord.start(flow, source)
        runs.record(wh, record)
        ctx = RunContext(wh, catalog, options, record)
        try:
            if stale and upgrade:
                _upgrade_schema(ctx, stale)
            yield ctx
            record_schema(wh)
        except BaseException as e:
            runs.finish(wh, record, "failed", f"{type(e).__name__}: {e}")
            _views_after_failure(wh)
            raise
        finally:
            ctx.close()


def _schema_path(wh: Warehouse) -> Path:
    return wh.root / "state" / "schema_version"


def record_schema(wh: Warehouse) -> None:
    """Record that the tables are written with this code's schema version."""
    from transforms.schema import SCHEMA_VERSION

    path = _schema_path(wh)
    if not path.exists() or path.read_text().strip() != str(SCHEMA_VERSION):
        write_atomic(path, f"{SCHEMA_VERSION}\n".encode())


def stale_schema(wh: Warehouse) -> str | None:
    """The schema version the tables were written with, when it is not this code's."""
    from transforms.schema import SCHEMA_VERSION

    path = _schema_path(wh)
    stored = path.read_text().strip() if path.exists() else None
    if stored == str(SCHEMA_VERSION):
        return None
    if stored is None:  # warehouses before v5 did not record it
        return "v4 or older" if wh.tables.is_dir() and any(wh.tables.iterdir()) else None
    return f"v{stored}"


def _upgrade_schema(ctx: RunContext, stale: str) -> None:
    """Tables written with another schema version: every source rebuilt from the raw zone."""
    from transforms.schema import SCHEMA_VERSION

    wh = ctx.wh
    LOG.warning(
        "the warehouse's tables were written with schema %s, this code writes v%s: rebuilding "
        "every source's tables from the raw zone first",
        stale,
        SCHEMA_VERSION,
    )
    for source in ctx.catalog:  # marked first: a run killed during the rebuild carries on
        _mark_replace(wh, source.name, ctx.run.run_id)
    for source in ctx.catalog:
        ctx.upgraded.add(publish_source(ctx, source, []))
    ctx.upgraded.notes.append(
        f"schema upgrade {stale} → v{SCHEMA_VERSION}: every source rebuilt from the raw zone"
    )


def run(catalog: Catalog, job: Job, options: RunOptions | None = None) -> RunSummary:
    """One run of `job`: see the module docstring."""
    source = catalog[job.source]
    if job.action not in source.actions:
        raise ValueError(
            f"source {source.name} has no action {job.action!r}; it has {', '.join(source.actions)}"
        )
    action = source.actions[job.action]
    wh = Warehouse.at(job.warehouse)
    with recorded(wh, catalog, options or RunOptions(), action.flow, source.name) as ctx:
        with ctx.steps("acquire"):
            acquired = action.acquire(ctx, **job.params) if action.acquire else Acquired()
            release_memory()  # the lists of every input it walked and stored are gone
        counts = publish_source(ctx, source, acquired.rejects)
        counts.add(ctx.upgraded)
        derived = derive_and_show(ctx)
        summary = _summary(ctx, acquired, counts, derived)
        summary.text = action.describe(summary) if action.describe else default_line(summary)
        _fill(ctx.run, summary)
        runs.finish(wh, ctx.run, "completed", summary.text if action.describe else summary.message)
    LOG.info("%s", summary.message)
    return summary


def default_line(s: RunSummary) -> str:
    return (
        f"run {s.run_id}: {s.inputs_seen} inputs ({s.inputs_new} new, {s.inputs_unchanged} "
        f"unchanged) → parsed {s.debates} debates, {s.contributions} contributions, {s.rejects} "
        f"rejects; {s.partitions_written} partitions written"
    )


def rebuild(
    catalog: Catalog, warehouse: str | None, options: RunOptions | None = None
) -> RunSummary:
    """Every table of every source regenerated from the raw zone alone (offline): each source
    in registry order, its partitions replaced in one commit; then the derived tables."""
    from flows.core.manifest import publish_manifest

    wh = Warehouse.at(warehouse)
    options = options or RunOptions()
    # every source replaced, with the warehouse alone
    with recorded(wh, catalog, options, "rebuild", "all", upgrade=False, alone=True) as ctx:
        counts = Counts()
        for source in catalog:
            with ctx.steps("manifest"):
                publish_manifest(wh, source.raw_sources)
            counts.add(publish_source(ctx, source, [], replace=True))
        counts.add(ctx.upgraded)
        derived = derive_and_show(ctx)
        summary = _summary(ctx, Acquired(seen=counts.items), counts, derived)
        summary.text = default_line(summary)
        _fill(ctx.run, summary)
        runs.finish(wh, ctx.run, "completed", summary.message)
    LOG.info("%s", summary.message)
    return summary


def adopt_legacy_tables(wh: Warehouse) -> None:
    """Tables written before schema v11 (no Delta log) become Delta tables of their files."""
    from flows.core import delta
    from transforms.schema import TABLES

    for name, table in TABLES.items():
        if n := delta.adopt_legacy(wh.table_dir(name), table):
            LOG.info("%s: %d file(s) of the pre-Delta layout adopted into a Delta table", name, n)


def clean_staging(wh: Warehouse) -> None:
    """Staging left by interrupted runs: removed (by a run that holds the warehouse alone)."""
    if wh.staging.is_dir():
        for child in wh.staging.iterdir():
            shutil.rmtree(child, ignore_errors=True)


# --- publishing one source ----------------------------------------------------------------


def _intent_path(wh: Warehouse, source: str) -> Path:
    return wh.root / "state" / "replace" / source


def _mark_replace(wh: Warehouse, source: str, run_id: str) -> None:
    """The next run replaces `source`'s tables if this one does not finish doing so."""
    path = _intent_path(wh, source)
    path.parent.mkdir(parents=True, exist_ok=True)
    faults.step(f"mark {source} for replacement")
    path.write_text(run_id)


def publish_source(
    ctx: RunContext, source: Source, rejects: Sequence[dict], *, replace: bool = False
) -> Counts:
    """Publish what the raw zone holds for `source` and the ledger does not know as published
    (everything, when `replace`), plus `rejects` (inputs that gave no raw bytes)."""
    from flows.core.manifest import publish_manifest

    wh = ctx.wh
    with ctx.steps("manifest"):
        if not replace:
            publish_manifest(wh, source.raw_sources)
        state = ledger.raw_state(wh, source.raw_sources)
    intent = _intent_path(wh, source.name).exists()
    replace = replace or intent
    if not replace and not rejects and ledger.settled(wh, source.name, state):
        return Counts()  # the raw zone is as it was when everything was published
    with ctx.steps("plan"):
        published = ledger.load(wh, source.name)
        items = Reiterable(lambda: source.items(wh))  # streamed, never listed
        plan = Plan(items, replace=True) if replace else source.plan(items, published)
        head: list[WorkItem] = []
        if not plan.replace:  # anything to do? the first item taken, the rest walked once
            todo = iter(plan.items)
            head = list(itertools.islice(todo, 1))
            plan = dataclasses.replace(plan, items=itertools.chain(head, todo))
    if intent:
        LOG.warning("%s: finishing an interrupted replace of its tables", source.name)
    counts = Counts(replaced=plan.replace, notes=[plan.note] if plan.note else [])
    if plan.replace or head or rejects:
        ledger.settle(wh, source.name, None)
        for group in commit_groups(plan, ctx.options):
            got = commit(ctx, source, group, rejects, published, replace=plan.replace)
            counts.add(got)
            release_memory()
            rejects = []  # published with the first group
    ledger.settle(wh, source.name, state)
    return counts


def batches(
    items: Iterable[WorkItem], max_bytes: float, max_items: int
) -> Iterator[list[WorkItem]]:
    """Consecutive items in batches of at most `max_bytes` of input (an item larger than that
    is a batch of its own) and `max_items` items."""
    batch: list[WorkItem] = []
    size = 0
    for item in items:
        if batch and (size + item.size > max_bytes or len(batch) >= max_items):
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += item.size
    if batch:
        yield batch


@dataclass
class Group:
    """Batches committed together, with their number and bytes of input (for the runner and
    the progress line). `batches` is walked once."""

    batches: Iterable[list[WorkItem]]
    count: int
    size: int


def commit_groups(plan: Plan, options: RunOptions) -> Iterator[Group]:
    """The plan's batches, grouped into commits of about `commit_mb`, each group listed. A plan
    that replaces the source's rows is one commit (a partial replace must never be visible):
    its items are walked once to count them, then streamed into the parse, never all held."""
    limit, most = options.batch_mb * MB, options.max_items
    if plan.replace:
        # walked twice below: a spent iterator would replace the source's rows by nothing
        if iter(plan.items) is plan.items:
            raise TypeError("a replace plan's items must be iterable more than once")
        count, size = 0, 0
        for batch in batches(plan.items, limit, most):
            count += 1
            size += sum(i.size for i in batch)
        yield Group(batches(plan.items, limit, most), count, size)
        return
    group: list[list[WorkItem]] = []
    size, groups = 0, 0
    for batch in batches(plan.items, limit, most):
        group.append(batch)
        size += sum(i.size for i in batch)
        if size >= options.commit_mb * MB:
            yield Group(group, len(group), size)
            groups += 1
            group, size = [], 0
    if group or not groups:  # at least one commit: rejects alone
        yield Group(group, len(group), size)


def replace_scope(source: Source) -> Scope:
    """A replace plan rewrites every partition of the source: per table, the source's own
    partitions, or the whole table when it is not partitioned by source."""
    from transforms.schema import TABLES

    specs: dict[str, list[dict[str, object]]] = {}
    for name in source.tables:
        table = TABLES[name]
        specs[name] = [{"source": source.name} if "source" in table.partition_by else {}]
    return Scope(replace=specs)


def commit(  # noqa: PLR0913
    ctx: RunContext,
    source: Source,
    group: Group,
    rejects: Sequence[dict],
    published: Mapping[str, tuple[str, ...]],
    *,
    replace: bool,
) -> Counts:
    """Parse one group of batches into the spill area, merge it into its partitions, gate,
    swap in, record in the ledger."""
    from flows.core import delta, spill
    from flows.core.quality import enforce
    from transforms.schema import TABLES

    wh = ctx.wh
    run_dir = wh.staging / f"run-{uuid.uuid4().hex[:12]}"
    keys: list[tuple[str, tuple[str, ...]]] = []  # what the ledger records, as items are parsed
    counts = Counts(batches=group.count, commits=1)
    try:
        with ctx.steps("parse"):
            touched = _parse(ctx, source, group, rejects, run_dir / "spill", counts, keys)
        counts.items = len(keys)
        if replace:
            scope = replace_scope(source)
        else:  # a listed group of about commit_mb
            scope = source.scope([i for b in group.batches for i in b], published)
        rules = replace_rules(scope.rules, max_shrink=ctx.options.max_shrink)
        written: list[Staged] = []
        for attempt in itertools.count(1):
            with ctx.steps("merge"):
                plan = _merge(ctx, source, touched, scope, run_dir)
            with ctx.steps("gate"):
                spilled = run_dir / "spill"
                new = {n: spill.scan(spilled, TABLES[n]) for n in ("debates", "contributions")}
                enforce(wh, plan, new, rules)
            with ctx.steps("commit"):
                if replace:
                    _mark_replace(wh, source.name, ctx.run.run_id)
                try:
                    plan.commit(wh)
                except delta.Conflict as e:
                    if replace or attempt >= MERGE_ATTEMPTS:
                        raise delta.Conflict(_conflict_message(source, e, replace)) from e
                    LOG.warning("%s: %s; merging again from the new state", source.name, e)
                    continue
                finally:
                    written += plan.committed
                ledger.record(wh, source.name, keys, replace=replace)
                faults.step(f"unmark {source.name}")
                _intent_path(wh, source.name).unlink(missing_ok=True)
            break
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    counts.partitions_written = len(written)
    for s in written:
        counts.debates_new += s.debates[0]
        counts.debates_changed += s.debates[1]
        counts.debates_unchanged += s.debates[2]
    LOG.info(
        "%s: committed %d item(s) in %d batch(es): %d partition(s) written",
        source.name,
        len(keys),
        group.count,
        len(written),
    )
    return counts


MERGE_ATTEMPTS = 5  # a group merged again after another writer committed to its partitions


def _conflict_message(source: Source, e: Exception, replace: bool) -> str:
    if replace:
        return (
            f"{source.name}: {e}, while this run replaced the source's tables; the next run "
            "finishes the replace"
        )
    return f"{source.name}: {e}, {MERGE_ATTEMPTS} times; nothing of this group was lost: run again"


def _parse(  # noqa: PLR0913
    ctx: RunContext,
    source: Source,
    group: Group,
    rejects: Sequence[dict],
    spill_root: Path,
    counts: Counts,
    keys: list[tuple[str, tuple[str, ...]]],
) -> dict[str, set]:
    """Parse the batches in the runner's workers into the spill area, taking them from the
    group as workers are free; `keys` gets each item's (key, shas). Returns the partitions each
    table received rows for."""
    from flows.core import spill
    from flows.core.tasks import parse_batch
    from transforms.schema import REJECTS, frame

    touched: dict[str, set] = {name: set() for name in source.tables}

    def tasks() -> Iterator[tuple[Any, ...]]:
        for n, b in enumerate(group.batches, start=1):
            keys.extend((i.key, i.shas) for i in b)
            root, spill_at = str(ctx.wh.root), str(spill_root)
            yield (root, source.parse, b, spill_at, n, source.tables, source.name)

    with phase(f"{source.name}: parsing", group.count, LOG) as step:
        runner = ctx.executor(group.count, group.size)
        for result in bounded(runner, parse_batch, tasks(), ctx.in_flight):
            for name, parts in result.partitions.items():
                touched[name].update(parts)
            for name, n in result.rows.items():
                counts.rows[name] = counts.rows.get(name, 0) + n
            step(1)
    if rejects and "rejects" in touched:
        df = frame(REJECTS, rejects)
        touched["rejects"].update(spill.write(spill_root, REJECTS, df, 0))
        counts.rows["rejects"] = counts.rows.get("rejects", 0) + df.height
    counts.debates = counts.rows.get("debates", 0)
    counts.contributions = counts.rows.get("contributions", 0)
    counts.rejects = counts.rows.get("rejects", 0)
    return touched


def _merge(
    ctx: RunContext, source: Source, touched: dict[str, set], scope: Scope, run_dir: Path
) -> StagePlan:
    """Stage every partition the commit rewrites, as runner tasks."""
    from flows.core.publish import Plan as StagePlan
    from flows.core.publish import targets
    from flows.core.tasks import merge_partition
    from transforms.schema import TABLES

    plan = StagePlan(run_dir / "plan")
    tasks = []
    for name in source.tables:
        found = targets(
            ctx.wh,
            TABLES[name],
            touched[name],
            scope.replace.get(name, ()),
            scope.touch.get(name, ()),
        )
        for part, replaced in found:
            args = (str(ctx.wh.root), name, part, str(run_dir / "spill"), str(plan.run))
            tasks.append((*args, replaced, scope.drop.get(name)))
    with phase(f"{source.name}: merging partitions", len(tasks), LOG) as step:
        size = sum(p.stat().st_size for p in (run_dir / "spill").rglob("*.parquet"))
        runner = ctx.executor(len(tasks), size * 8)  # spilled Parquet is ~1/8 of the text
        for staged in bounded(runner, merge_partition, tasks, ctx.in_flight):
            if staged is not None:
                plan.items.append(staged)
            step(1)
    plan.items.sort(key=lambda s: (s.table, partition.order(s.part)))
    return plan


def replace_rules(rules: GateRules, *, max_shrink: float) -> GateRules:
    return dataclasses.replace(rules, max_shrink=max_shrink)


# --- after publishing ---------------------------------------------------------------------


def derive_and_show(ctx: RunContext) -> tuple[str, Any]:
    """The derived tables brought up to date with the contributions as they are now, then the
    views pinned to them. One run at a time does this (other runs may be committing meanwhile:
    the views show the contributions the derived tables were derived from, never newer ones)."""
    from flows.core import delta
    from flows.core.lock import exclusive
    from transforms.schema import CONTRIBUTIONS

    with exclusive(_derive_lock(ctx.wh), LOG, "another run's derived step"):
        contributions = ctx.wh.table_dir(CONTRIBUTIONS.name)
        version = delta.snapshot(contributions, CONTRIBUTIONS).version
        pins = {CONTRIBUTIONS.name: version} if version >= 0 else {}
        derived = refresh_derived(ctx, pins.get(CONTRIBUTIONS.name))
        refresh_views(ctx, pins)
    return derived


def _derive_lock(wh: Warehouse) -> Path:
    """Held by the one run that derives tables and rebuilds the views at a time."""
    return wh.root / "state" / "derive.lock"


def refresh_derived(ctx: RunContext, version: int | None = None) -> tuple[str, Any]:
    """twfy_people from the stored members files, then every table derived from
    contributions (at `version`, default the latest) where its inputs changed."""
    from flows.derived.resolution import refresh_all

    with ctx.steps("derived"):
        summary = refresh_all(
            ctx.wh, ctx.catalog.identity_raw, ctx.executor, ctx.in_flight, version
        )
        ctx.close()  # the views and the summary need no workers: theirs is memory held idle
    return summary


def refresh_views(ctx: RunContext, pins: Mapping[str, int]) -> None:
    """After a completed run: files past the time-travel window vacuumed (once a day), then
    the views pinned to the versions the run's tables reached (`pins`: earlier ones)."""
    from flows.core.views import refresh_views as build

    vacuum_daily(ctx)
    with ctx.steps("views"):
        build(ctx.wh, pins=pins)


VACUUM_EVERY_S = 86_400  # files are kept a week: a daily vacuum is plenty (it lists every file)


def vacuum_daily(ctx: RunContext) -> None:
    from flows.core import delta
    from transforms.schema import TABLES

    marker = ctx.wh.root / "state" / "vacuumed_at"
    if marker.exists() and time.time() - marker.stat().st_mtime < VACUUM_EVERY_S:
        return
    with ctx.steps("vacuum"):
        gone = sum(delta.vacuum(ctx.wh.table_dir(name)) for name in TABLES)
        if gone:
            LOG.info("vacuum: %d file(s) older than %d h deleted", gone, delta.KEEP_HOURS)
        write_atomic(marker, f"{time.time():.0f}\n".encode())


def _views_after_failure(wh: Warehouse) -> None:
    """The views keep showing the last complete publish (they are pinned to it): left as they
    are. A warehouse whose first run failed gets views that open on no rows (what it committed
    is not complete; the next run completes it). A failure here must not hide the first."""
    from flows.core.lock import exclusive
    from flows.core.views import refresh_views as build

    if wh.duckdb_path.exists():
        return
    try:
        with exclusive(_derive_lock(wh), LOG, "another run's views"):
            build(wh, no_rows=True)
    except Exception as e:  # noqa: BLE001
        LOG.warning("views not refreshed after the failure: %s", e)


def _summary(
    ctx: RunContext, acquired: Acquired, counts: Counts, derived: tuple[str, Any]
) -> RunSummary:
    r = ctx.run
    parts = [
        f"{acquired.seen} inputs ({acquired.new} new, {acquired.unchanged} unchanged)",
        f"{counts.items} work item(s) parsed in {counts.batches} batch(es), "
        f"{counts.commits} commit(s)" + (" replacing the source's rows" if counts.replaced else ""),
        f"{counts.debates} debates, {counts.contributions} contributions, {counts.rejects} "
        f"rejects; {counts.partitions_written} partitions written",
        f"debates {counts.debates_new} new, {counts.debates_changed} changed, "
        f"{counts.debates_unchanged} unchanged",
    ]
    parts += counts.notes
    if acquired.note:
        parts.append(acquired.note)
    parts.append(derived[0])
    seconds = {k: round(v, 3) for k, v in ctx.steps.seconds.items()}
    return RunSummary(
        run_id=r.run_id,
        flow=r.flow,
        source=r.source,
        warehouse=str(ctx.wh.root),
        duckdb=str(ctx.wh.duckdb_path),
        inputs_seen=acquired.seen,
        inputs_new=acquired.new,
        inputs_unchanged=acquired.unchanged,
        items=counts.items,
        batches=counts.batches,
        commits=counts.commits,
        debates=counts.debates,
        contributions=counts.contributions,
        rejects=counts.rejects,
        partitions_written=counts.partitions_written,
        debates_new=counts.debates_new,
        debates_changed=counts.debates_changed,
        debates_unchanged=counts.debates_unchanged + acquired.details.get("debates_skipped", 0),
        derived=derived[0],
        rows=dict(counts.rows),
        resolution=derived[1],
        seconds=seconds,
        details=dict(acquired.details),
        message="; ".join(parts),
    )


def _fill(record: runs.RunRecord, s: RunSummary) -> None:
    record.inputs_seen, record.inputs_new, record.inputs_unchanged = (
        s.inputs_seen,
        s.inputs_new,
        s.inputs_unchanged,
    )
    record.debates, record.contributions, record.rejects = s.debates, s.contributions, s.rejects
    record.partitions_written = s.partitions_written
    record.debates_new, record.debates_changed = s.debates_new, s.debates_changed
    record.debates_unchanged = s.debates_unchanged
    record.steps = s.seconds
