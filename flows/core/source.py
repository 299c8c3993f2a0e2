"""The source contract: what every source declares, once, for the engine and the application.

A source is two folders (`transforms/<name>/`, pure parsing; `flows/sources/<name>/`, its I/O)
and one line in the registry, `flows/sources/__init__.py`. The engine (`flows/run.py`), the
core modules and the derived tables work with any `Source` and never import one; the catalog
of registered sources is handed to them by the application layer (CLI, deployments, rebuild).

What a source declares:

* `name` — the `source` value of its rows, its config section, its ledger;
* `raw_sources` — the raw-zone folders it stores into (each becomes `raw_inputs` rows);
* `tables` — the tables its parse writes;
* `items(wh)` — every *work item* the raw zone holds for it now: the raw inputs that are parsed
  together (one transcript page, one sitting day with all its versions or responses), keyed so
  that the ledger knows which are published;
* `parse(wh, item)` — the rows of one item (reads the raw bytes, calls the pure parser);
* `scope(items, published)` — its write policy: which existing rows committing these items
  replaces (drop and touch), and the gate rules for them;
* `plan(items, published)` — which items a run parses (default: those not published as they
  are now) and whether they replace the source's partitions (a superseded transcript page).
  `items` may be walked more than once but is never a list: a plan's items are streamed into
  batches, so the engine holds no list of every input (1.4 kB an item: 0.2 GB at 154 k files);
* `actions` — what a run does first to get inputs into the raw zone (discover files, fetch);
* `settings`, `cli`, `daily` — its config section, its CLI commands, how it joins the daily run.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from flows.core.raw_zone import RawEntry
from flows.core.rules import GateRules

if TYPE_CHECKING:  # the contract names these types; importing them costs start-up time
    import polars as pl
    from pydantic import BaseModel

    from flows.core.warehouse import Warehouse

Rows = dict[str, list[dict[str, Any]]]  # table name → row dicts, as the pure parsers give them
Published = Mapping[str, tuple[str, ...]]  # ledger: work item key → the raw sha256s it was made of


@dataclass(frozen=True)
class WorkItem:
    """Raw inputs parsed together into rows, and the key the ledger knows them by."""

    key: str
    entries: tuple[RawEntry, ...]
    context: tuple[RawEntry, ...] = ()  # shared inputs the parse also reads (members files)
    house: str | None = None  # where its rows land, when known before parsing
    day: date | None = None
    marks: tuple[str, ...] = ()  # anything else its rows depend on (the order of refreshes)

    @property
    def shas(self) -> tuple[str, ...]:
        """What the ledger records: the sha256s of its inputs (and its marks)."""
        return tuple(
            sorted({e.raw_sha256 for e in (*self.entries, *self.context)} | set(self.marks))
        )

    @property
    def size(self) -> int:
        return sum(e.bytes for e in self.entries)


@dataclass(frozen=True)
class Scope:
    """What committing some work items does besides merging their rows in, per table name.

    `drop[table]` removes existing rows from the partitions the new rows or `touch[table]`
    reach; `replace[table]` names partitions rewritten from the new rows alone; `rules` are
    the gate's (the run's max_shrink applies)."""

    drop: Mapping[str, pl.Expr] = field(default_factory=dict)
    touch: Mapping[str, Sequence[Mapping[str, object]]] = field(default_factory=dict)
    replace: Mapping[str, Sequence[Mapping[str, object]]] = field(default_factory=dict)
    rules: GateRules = field(default_factory=GateRules)


@dataclass(frozen=True)
class Plan:
    """The items a run parses, in order, as an iterable (walked once; a replace plan's twice:
    to count, then to parse); `replace`: they are all the source's rows (one commit)."""

    items: Iterable[WorkItem]
    replace: bool = False
    note: str = ""


class Reiterable:
    """Items walked afresh each time they are iterated (`make()` gives a new iterator)."""

    def __init__(self, make: Callable[[], Iterable[WorkItem]]) -> None:
        self.make = make

    def __iter__(self) -> Iterator[WorkItem]:
        return iter(self.make())


def pending_plan(items: Iterable[WorkItem], published: Published) -> Plan:
    """The default: every item whose inputs are not published as they are now."""
    return Plan(Reiterable(lambda: (i for i in items if published.get(i.key) != i.shas)))


def merge_scope(items: Sequence[WorkItem], published: Published) -> Scope:
    """The default write policy: new rows merge in by key; nothing else changes."""
    return Scope()


@dataclass
class Acquired:
    """What an action did before parsing: inputs offered, new to the raw zone, unchanged;
    reject rows for inputs that gave no raw bytes; source-specific counters and a note."""

    seen: int = 0
    new: int = 0
    unchanged: int = 0
    rejects: list[dict[str, Any]] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class Job:
    """One run, as plain data (a Prefect flow parameter is JSON): which source and action,
    with which parameters, on which warehouse."""

    source: str
    action: str
    params: dict[str, Any] = field(default_factory=dict)
    warehouse: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "action": self.action,
            "params": self.params,
            "warehouse": self.warehouse,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Job:
        return cls(
            data["source"], data["action"], dict(data.get("params") or {}), data.get("warehouse")
        )


@dataclass(frozen=True)
class Scheduled:
    """A job of a source's own, on its own cron schedule (a deployment)."""

    name: str
    cron: str
    job: Job
    description: str = ""


@dataclass(frozen=True)
class Action:
    """A way a run gets inputs into the raw zone. `acquire(ctx, **params)` stores them and
    says what it did; None: nothing to fetch, the run publishes what the raw zone holds."""

    flow: str  # the run's name in ingest_runs and in Prefect (`ingest-text`)
    acquire: Callable[..., Acquired] | None
    describe: Callable[[Any], str] | None = None  # a one-line summary of the run for the CLI


@dataclass(frozen=True)
class Ref:
    """A module-level object named by its import path (`package.module:name`), loaded when
    first used: the registry stays cheap to import (no polars, lxml or pydantic until a run
    needs them), and a Ref pickles as its path, so a worker process loads the function itself."""

    path: str

    def load(self) -> Any:  # noqa: ANN401
        module, _, name = self.path.partition(":")
        return getattr(importlib.import_module(module), name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
        return self.load()(*args, **kwargs)


@dataclass(frozen=True)
class Source:
    name: str
    title: str
    raw_sources: tuple[str, ...]
    tables: tuple[str, ...]  # names in transforms.schema.TABLES
    items: Callable[[Warehouse], Iterable[WorkItem]]
    parse: Callable[[Warehouse, WorkItem], Rows]  # a module-level function: run in workers
    actions: Mapping[str, Action]
    settings: Callable[[], type[BaseModel]]  # a Ref to its config section's model
    scope: Callable[[Sequence[WorkItem], Published], Scope] = merge_scope
    plan: Callable[[Iterable[WorkItem], Published], Plan] = pending_plan
    cli: Callable[..., None] | None = None  # registers its commands: cli(app, context)
    daily: Callable[..., Job | None] | None = None  # its part of the daily run: daily(settings, wh)
    window: Callable[..., Job] | None = (
        None  # a backfill of a date range: window(settings, wh, a, b)
    )
    schedules: Callable[..., list[Scheduled]] | None = (
        None  # its own cron jobs: schedules(settings)
    )
    identity_raw: tuple[str, ...] = ()  # raw folders where it keeps ParlParse members files
    summary: str = ""  # one paragraph for `hansard status` and the docs


class Catalog:
    """The registered sources, in registry order."""

    def __init__(self, sources: Iterable[Source]) -> None:
        self.sources = tuple(sources)
        names = [s.name for s in self.sources]
        if len(set(names)) != len(names):
            raise ValueError(f"source names must be unique: {names}")
        raw = [r for s in self.sources for r in s.raw_sources]
        if len(set(raw)) != len(raw):
            raise ValueError(f"a raw-zone folder belongs to one source: {raw}")

    def __iter__(self) -> Iterator[Source]:
        return iter(self.sources)

    def __getitem__(self, name: str) -> Source:
        for s in self.sources:
            if s.name == name:
                return s
        raise KeyError(f"no source {name!r}; registered: {', '.join(self.names)}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.sources)

    @property
    def raw_sources(self) -> tuple[str, ...]:
        return tuple(r for s in self.sources for r in s.raw_sources)

    @property
    def identity_raw(self) -> tuple[str, ...]:
        return tuple(r for s in self.sources for r in s.identity_raw)
