"""Getting files and responses into the raw zone, the same way for every source: walking folders,
storing bytes, and the reject rows for inputs that gave no bytes at all."""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from flows.core import raw_zone
from flows.core.progress import phase
from flows.core.raw_zone import RawEntry
from flows.core.runner import InlineExecutor, bounded
from flows.core.source import Acquired
from flows.core.warehouse import Warehouse

if TYPE_CHECKING:  # the HTTP client is imported by the sources that fetch, not by file sources
    from flows.core.http import Fetched, HttpClient


def unreadable(path: Path, why: str, source: str, *, reason: str = "unreadable") -> dict:
    """A reject row for an input that could not be read at all, or was refused (no raw
    bytes)."""
    ref = raw_zone.shown(str(path.absolute()))
    return {
        "source": source,
        "source_ref": ref,
        "reason": reason,
        "detail": f"{ref}: {'refused' if reason == 'refused' else 'cannot be read'}: {why}",
        "rejected_at": datetime.now(UTC),
        "raw_sha256": None,
    }


def fetch_failed(source: str, url: str, reason: str) -> dict:
    """A reject row for a request that gave no usable response (no raw bytes)."""
    return {
        "source": source,
        "source_ref": url,
        "reason": "fetch_failed",
        "detail": f"{url}: {reason}",
        "rejected_at": datetime.now(UTC),
        "raw_sha256": None,
    }


@dataclass
class Walked:
    files: list[str] = field(default_factory=list)  # strings: 10^5 Path objects cost ~80 MB
    missing: list[Path] = field(default_factory=list)
    skipped: int = 0  # files in folders that are not inputs of this source
    refused: list[tuple[Path, str]] = field(default_factory=list)  # (file, why): rejects


def walk(paths: Iterable[str | Path], pattern: str, accept: Callable[[Path], bool]) -> Walked:
    """Files named directly, and in folders (recursively, hidden ones skipped, in name order)
    the files matching `pattern` that `accept` takes. Refused, as rejects: a name that is not
    valid UTF-8, a dangling symbolic link, and a file in a folder that is really elsewhere (a
    link out of the folder: an inbox must not be a way to read any file of the machine)."""
    out = Walked()
    for p in map(Path, paths):
        if p.is_dir():
            root = p.resolve()
            found: list[str] = []
            refused: list[tuple[Path, str]] = []
            for f in p.rglob(pattern):  # each Path dropped once looked at: only names kept
                if any(part.startswith(".") for part in f.parts[-2:]):
                    continue
                why = _refusal(f, root)
                if why:
                    refused.append((f, why))
                elif not f.is_file():
                    continue
                elif accept(f):
                    found.append(str(f))
                else:
                    out.skipped += 1
            found.sort(key=_path_order)
            out.files.extend(found)
            out.refused.extend(sorted(refused))
        elif p.is_file():
            why = _refusal(p, None)
            if why:
                out.refused.append((p, why))
            else:
                out.files.append(str(p))
        else:
            out.missing.append(p)
    return out


def _path_order(path: str) -> list[str]:
    """A path's place in name order, as Paths sort (folder by folder, not character by
    character: `a/x` before `a-b/x`)."""
    return path.split("/")


def _refusal(f: Path, root: Path | None) -> str | None:
    """Why a file found under `root` (or named by the user: None) is not stored, if it is not.
    Only the file itself can be a link: rglob does not descend into linked folders."""
    if raw_zone.shown(str(f)) != str(f):
        return "its name is not valid UTF-8 (rename the file)"
    if not f.is_symlink():
        return None
    if not f.exists():
        return f"a dangling symbolic link (to {raw_zone.shown(str(f.readlink()))})"
    if root is not None and not f.resolve().is_relative_to(root):
        return f"a link to {raw_zone.shown(str(f.resolve()))}, outside the folder {root}"
    return None


@dataclass
class Stored:
    """What storing inputs did, in counts (a run of 10^5 files keeps no object per file)."""

    count: int = 0  # inputs stored (new or already there)
    new: int = 0
    rejects: list[dict] = field(default_factory=list)  # files that could not be read

    def add(self, is_new: bool) -> None:
        self.count += 1
        self.new += is_new

    @property
    def unchanged(self) -> int:
        return self.count - self.new


READERS = 8  # files read and hashed at once: the disk and hashlib work in parallel


def _read(path: Path) -> tuple[bytes, str] | OSError:
    try:
        data = path.read_bytes()
    except OSError as e:
        return e
    return data, hashlib.sha256(data).hexdigest()  # hashlib releases the GIL


def _ordered(paths: Sequence[Path], ahead: int) -> Iterator[tuple[bytes, str] | OSError]:
    """_read of each path, in order, with at most `ahead` files read ahead of the consumer."""
    with ThreadPoolExecutor(max_workers=ahead, thread_name_prefix="read") as pool:
        pending: deque = deque()
        for path in paths:
            pending.append(pool.submit(_read, path))
            if len(pending) >= ahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def store_files(
    wh: Warehouse,
    raw_source: str,
    files: Sequence[str | Path],
    executor: Callable[[int, float], Executor] | None = None,
    in_flight: int = 1,
) -> Stored:
    """Store each file byte-for-byte in the raw zone; unreadable ones are rejects. With an
    `executor` (the run's runner), chunks of files are stored by its workers; each file gets
    its ingest time in the order given either way, so the result is as if stored one by one.
    Only counts come back: nothing kept per file."""
    out = Stored()
    starts = range(0, len(files), CHUNK)
    now = datetime.now(UTC)
    size = (
        sum(Path(f).stat().st_size for f in files[: 4 * CHUNK])
        * len(files)
        / max(1, min(len(files), 4 * CHUNK))
    )  # estimated from the first files: stat-ing 10^5 files costs more than it tells
    runner = executor(len(starts), size) if executor else None
    if runner is None or isinstance(runner, InlineExecutor):
        for i in starts:
            chunk = files[i : i + CHUNK]
            _collect(out, chunk, _store_chunk(str(wh.root), raw_source, chunk, now, i), raw_source)
        return out
    args = ((i, (str(wh.root), raw_source, files[i : i + CHUNK], now, i)) for i in starts)
    with phase("storing raw inputs", len(starts)) as step:
        for i, result in bounded(runner, _store_numbered, args, in_flight):
            _collect(out, files[i : i + CHUNK], result, raw_source)
            step(1)
    return out


CHUNK = 256  # files per store task


def _store_numbered(n: int, args: tuple) -> tuple[int, list]:
    return n, _store_chunk(*args)


def _store_chunk(
    root: str, raw_source: str, paths: Sequence[str | Path], start: datetime, first: int
) -> list[bool | str]:
    """Store some files (a runner task), the `first`-th of the run's files first: whether each
    is new, or why it is unreadable. A file's ingest time is the run's `start` plus its number
    in microseconds, so the times follow the files' order across every chunk."""
    wh = Warehouse(Path(root))
    out: list[bool | str] = []
    files = [Path(p) for p in paths]
    for n, (path, got) in enumerate(zip(files, _ordered(files, READERS), strict=True)):
        at = start + timedelta(microseconds=first + n)
        if isinstance(got, OSError):
            out.append(got.strerror or str(got))
            continue
        data, sha = got
        _, is_new = raw_zone.store(
            wh, raw_source, data, str(path.resolve()), sha256=sha, ingested_at=at
        )
        out.append(is_new)
    return out


def _collect(
    out: Stored, paths: Sequence[str | Path], results: list[bool | str], raw_source: str
) -> None:
    for path, got in zip(paths, results, strict=True):
        if isinstance(got, str):
            out.rejects.append(unreadable(Path(path), got, raw_source))
        else:
            out.add(got)


def acquired_files(walked: Walked, stored: Stored, source: str) -> Acquired:
    """What storing walked files did, as the engine's Acquired."""
    missing = [unreadable(p, "no such file or folder", source) for p in walked.missing]
    refused = [unreadable(p, why, source, reason="refused") for p, why in walked.refused]
    return Acquired(
        seen=len(walked.files) + len(walked.missing) + len(walked.refused),
        new=stored.new,
        unchanged=stored.unchanged,
        rejects=missing + refused + stored.rejects,
    )


def request_key(path: str, params: dict[str, str]) -> str:
    """A request's identity: path and sorted query (the document key of its response)."""
    return f"GET {path}?{urlencode(sorted(params.items()))}"


def fetch_into_raw(  # noqa: PLR0913
    client: HttpClient,
    wh: Warehouse,
    source: str,
    base: str,
    path: str,
    params: dict[str, str],
    scope: dict,
) -> tuple[Fetched, RawEntry | None, bool]:
    """GET `base + path` and, when it answered 2xx, store the body byte for byte under the
    request's key, with the request (params, status, content type, time, `scope`) in its
    manifest entry. Returns the response, its raw entry (None on an error status) and whether
    it is new. A request that gave no response raises FetchError."""
    got = client.get(base.rstrip("/") + path, params)
    if not got.ok:
        return got, None, False
    request = {
        "params": got.params,
        "status": got.status,
        "content_type": got.content_type,
        "fetched_at": got.fetched_at.isoformat(),
        "scope": scope,
    }
    entry, is_new = raw_zone.store(
        wh, source, got.body, got.url, key=request_key(path, params), request=request
    )
    return got, entry, is_new
