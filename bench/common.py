"""What the benchmark scripts share: the header every run prints (command, machine, git state),
peak RSS, folder sizes, the generated corpus (made once, reused when it matches), a Markdown
table, a cProfile of every thread and its printout.

Imported by the scripts in bench/ (each puts bench/ and the repository root on sys.path first).
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
MB = 1_000_000


def peak_rss_mb() -> float:
    """Peak resident set of this process so far (getrusage; Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_peak_rss_mb() -> float:
    """Peak resident set of the largest child (or grandchild) waited for so far: not a sum."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def dir_bytes(path: Path, pattern: str = "*") -> int:
    return sum(f.stat().st_size for f in path.rglob(pattern) if f.is_file())


def input_files(data: Path) -> list[Path]:
    """The transcript-text pages of a generated corpus."""
    return sorted(data.rglob("*.txt"))


# --------------------------------------------------------------------------- corpus


def ensure_corpus(
    data: Path, mb: float, seed: int, generate: Callable[..., dict] | None = None, **options: Any
) -> tuple[dict, float | None]:
    """Generate into `data` (with `generate`, default the transcript-text generator, given
    `options` such as contributions=, years=, ordered=) unless it already holds a corpus made
    with the same size, seed and options. Returns (the generator's metadata, seconds it took;
    None when reused)."""
    meta_path = data / "GENERATED.json"
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        same = all(
            meta.get(k if k != "contributions" else "contributions_target")
            == (list(v) if isinstance(v, tuple) else v)
            for k, v in options.items()
        )
        sized = options.get("contributions") or meta.get("mb_target") == mb  # one or the other
        if sized and meta.get("seed") == seed and same:
            return meta, None
        shutil.rmtree(data)
    if generate is None:
        from generate_text import generate

    t0 = time.perf_counter()
    meta = generate(data, mb, seed, quiet=True, **options)
    return meta, time.perf_counter() - t0


# --------------------------------------------------------------------------- profiling


def profiled(fn: Callable[[], Any], path: Path) -> tuple[Any, int]:
    """Run fn under cProfile and dump the stats to `path`; returns (fn's value, threads seen).
    cProfile sees one thread, and runs fetch on thread pools, so every thread started
    meanwhile gets its own profiler, merged after (their times add up: cumulative figures can
    exceed the wall time). Work done in worker processes is not seen."""
    import cProfile
    import pstats
    import threading

    thread_profiles: list[cProfile.Profile] = []

    def start_in_thread(frame, event, arg):  # noqa: ANN001, ANN202, ARG001
        sys.setprofile(None)
        tp = cProfile.Profile()
        thread_profiles.append(tp)
        tp.enable()

    prof = cProfile.Profile()
    threading.setprofile(start_in_thread)
    prof.enable()
    try:
        value = fn()
    finally:
        prof.disable()
        threading.setprofile(None)
    stats = pstats.Stats(prof)
    for tp in thread_profiles:
        try:
            stats.add(tp)
        except (TypeError, ValueError):  # a profiler that saw no calls
            pass
    stats.dump_stats(str(path))
    return value, len(thread_profiles)


def print_profile(path: Path, n: int = 15) -> str:
    """The top `n` functions of a pstats file by cumulative and by own time, then the
    project's own code (flows/, transforms/) by cumulative time."""
    import io
    import pstats

    buf = io.StringIO()
    stats = pstats.Stats(str(path), stream=buf)
    stats.strip_dirs()
    buf.write("--- top by cumulative time ---\n")
    stats.sort_stats("cumulative").print_stats(n)
    buf.write("--- top by own (total) time ---\n")
    stats.sort_stats("tottime").print_stats(n)
    # the same, restricted to the project's own code (full paths kept for the filter)
    project = pstats.Stats(str(path), stream=buf)
    buf.write("--- project code only (flows/, transforms/), by cumulative time ---\n")
    project.sort_stats("cumulative").print_stats(r"/(flows|transforms)/", n)
    text = buf.getvalue().replace(str(ROOT) + "/", "")
    keep = [
        line
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith(("Ordered by", "List reduced"))
    ]
    return "\n".join(keep)


# --------------------------------------------------------------------------- report


def _git() -> dict:
    try:
        head = subprocess.run(
            ["git", "log", "-1", "--format=%h %s"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", ".", ":!bench"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        return {}
    return {"head": head, "modified_outside_bench": [d[3:] for d in dirty if d.strip()]}


def machine() -> dict:
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for pkg in ("polars", "pyarrow", "duckdb", "prefect"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "?"
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "platform": platform.platform(),
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "memory": mem,
        "python": platform.python_version(),
        "packages": versions,
        "git": _git(),
    }


def header(cmd: str) -> dict:
    """Print the command and the machine (and git state) every benchmark starts with."""
    info = machine()
    print(f"$ {cmd}")
    print(
        f"date {info['date']}; {info['platform']}; {info['cpu']}; os.cpu_count()="
        f"{info['cpu_count']}; {info['memory']} RAM; Python {info['python']}; "
        + ", ".join(f"{k} {v}" for k, v in info["packages"].items())
    )
    if info["git"]:
        print(
            f"git HEAD {info['git']['head']}; uncommitted changes outside bench/: "
            f"{', '.join(info['git']['modified_outside_bench']) or 'none'}"
        )
    export = ROOT / "GIT_EXPORT"  # a clean `git archive` export records its commit here
    if export.exists():
        info["git_export"] = export.read_text().strip()
        print(f"code: clean export of git {info['git_export']} at {ROOT}")
    overrides = {k: v for k, v in os.environ.items() if k.startswith("HANSARD__")}
    if overrides:  # configuration overrides the runs see (e.g. HANSARD__RUN__RUNNER)
        info["hansard_env"] = overrides
        print("configuration overrides: " + ", ".join(f"{k}={v}" for k, v in overrides.items()))
    info["loadavg_start"] = os.getloadavg()
    print(f"load average at start {' '.join(f'{x:.2f}' for x in info['loadavg_start'])}")
    return info


def fmt_table(rows: list[tuple[str, str]]) -> str:
    w = max(len(k) for k, _ in rows)
    lines = [f"| {'measure'.ljust(w)} | value |", f"|{'-' * (w + 2)}|-------|"]
    lines += [f"| {k.ljust(w)} | {v} |" for k, v in rows]
    return "\n".join(lines)
