"""Configuration: one TOML file plus environment overrides, validated at start-up.

File: `$HANSARD_CONFIG`, else `./hansard.toml` when present, else the defaults below.
Override any key with `HANSARD__<SECTION>__<KEY>=value` (values parsed as TOML, so
`HANSARD__API__HOUSES='["Lords"]'` and `HANSARD__API__MAX_RPS=5` work); `HANSARD_WAREHOUSE`
and `HANSARD_API_BASE_URL` are honoured too. Unknown sections or keys, wrong types and bad
values are a ConfigError naming the key, before any run starts.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, get_type_hints
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flows.api_fetch import DEFAULT_BASE_URL, HOUSES
from flows.members_fetch import DEFAULT_PARLPARSE_URL, PARLPARSE_FILES, TWFY_MEMBERS_FILES

SOURCES = ("pp_text", "hansard_api")
_CRON_FIELD = re.compile(r"^(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*$")


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class WarehouseConfig:
    root: str = "warehouse"


@dataclass(frozen=True)
class SourcesConfig:
    enabled: tuple[str, ...] = SOURCES
    text_inbox: str = "inbox"  # transcript pages dropped here are ingested by the daily run


@dataclass(frozen=True)
class ApiConfig:
    base_url: str = DEFAULT_BASE_URL
    houses: tuple[str, ...] = HOUSES
    correction_days: int = 30
    max_rps: float = 10.0
    max_concurrency: int = 4


@dataclass(frozen=True)
class MembersConfig:
    base_url: str = "https://members-api.parliament.uk"
    full_after_days: int = 28  # a refresh re-reads every History when the last full one is older
    parlparse: bool = False  # fetch the parlparse members files with each refresh
    parlparse_base_url: str = DEFAULT_PARLPARSE_URL
    parlparse_files: tuple[str, ...] = PARLPARSE_FILES


@dataclass(frozen=True)
class QualityConfig:
    max_shrink: float = 0.5


@dataclass(frozen=True)
class ScheduleConfig:
    timezone: str = "Europe/London"
    daily: str = "30 6 * * *"  # after Hansard's overnight publication
    members: str = "0 5 * * 1"  # weekly: names, parties and seats change rarely


@dataclass(frozen=True)
class Config:
    warehouse: WarehouseConfig = field(default_factory=WarehouseConfig)
    sources: SourcesConfig = field(default_factory=SourcesConfig)
    api: ApiConfig = field(default_factory=ApiConfig)
    members: MembersConfig = field(default_factory=MembersConfig)
    quality: QualityConfig = field(default_factory=QualityConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)


def _coerce(where: str, value: Any, kind: Any) -> Any:  # noqa: ANN401
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind == tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: expected a list of strings, got {value!r}")
        return tuple(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(f"{where}: expected {kind.__name__}, got {value!r}")
    return value


def _section(name: str, cls: type, values: dict[str, Any]) -> Any:  # noqa: ANN401
    hints = get_type_hints(cls)
    unknown = set(values) - set(hints)
    if unknown:
        raise ConfigError(f"[{name}]: unknown key(s) {sorted(unknown)}; known: {sorted(hints)}")
    return cls(**{k: _coerce(f"{name}.{k}", v, hints[k]) for k, v in values.items()})


def _env_overrides(env: dict[str, str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for key, raw in env.items():
        if not key.startswith("HANSARD__"):
            continue
        parts = key[len("HANSARD__") :].lower().split("__")
        if len(parts) != 2:
            raise ConfigError(f"{key}: expected HANSARD__<SECTION>__<KEY>")
        try:
            value = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw  # a bare string
        out.setdefault(parts[0], {})[parts[1]] = value
    if "HANSARD_WAREHOUSE" in env:
        out.setdefault("warehouse", {})["root"] = env["HANSARD_WAREHOUSE"]
    if "HANSARD_API_BASE_URL" in env:
        out.setdefault("api", {})["base_url"] = env["HANSARD_API_BASE_URL"]
    return out


def _validate(cfg: Config) -> None:
    bad_sources = set(cfg.sources.enabled) - set(SOURCES)
    if bad_sources:
        raise ConfigError(f"sources.enabled: unknown {sorted(bad_sources)}; known {SOURCES}")
    if not cfg.api.houses or set(cfg.api.houses) - set(HOUSES):
        raise ConfigError(f"api.houses: must be among {HOUSES}, got {cfg.api.houses}")
    if not cfg.api.base_url.startswith(("http://", "https://")):
        raise ConfigError(f"api.base_url: not an http(s) URL: {cfg.api.base_url!r}")
    if not 0 < cfg.api.max_rps <= 50:
        raise ConfigError(f"api.max_rps: must be in (0, 50], got {cfg.api.max_rps}")
    if not 1 <= cfg.api.max_concurrency <= 16:
        raise ConfigError(f"api.max_concurrency: must be 1..16, got {cfg.api.max_concurrency}")
    if not 0 <= cfg.api.correction_days <= 366:
        raise ConfigError(f"api.correction_days: must be 0..366, got {cfg.api.correction_days}")
    if not 0 < cfg.quality.max_shrink <= 1:
        raise ConfigError(f"quality.max_shrink: must be in (0, 1], got {cfg.quality.max_shrink}")
    try:
        ZoneInfo(cfg.schedule.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"schedule.timezone: unknown time zone {cfg.schedule.timezone!r}"
        ) from None
    for name in ("daily", "members"):
        expr = getattr(cfg.schedule, name)
        cron = expr.split()
        if len(cron) != 5 or not all(_CRON_FIELD.match(f) for f in cron):
            raise ConfigError(f"schedule.{name}: not a 5-field cron expression: {expr!r}")
    _validate_members(cfg.members)


def _validate_members(m: MembersConfig) -> None:
    if not m.base_url.startswith(("http://", "https://")):
        raise ConfigError(f"members.base_url: not an http(s) URL: {m.base_url!r}")
    if not m.parlparse_base_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"members.parlparse_base_url: not an http(s) URL: {m.parlparse_base_url!r}"
        )
    bad_files = set(m.parlparse_files) - set(TWFY_MEMBERS_FILES)
    if not m.parlparse_files or bad_files:
        raise ConfigError(
            f"members.parlparse_files: must be among {TWFY_MEMBERS_FILES}, got "
            f"{list(m.parlparse_files)}"
        )
    if not 0 <= m.full_after_days <= 366:
        raise ConfigError(f"members.full_after_days: must be 0..366, got {m.full_after_days}")


def config_path(env: dict[str, str] | None = None) -> Path | None:
    env = dict(os.environ) if env is None else env
    if env.get("HANSARD_CONFIG"):
        path = Path(env["HANSARD_CONFIG"])
        if not path.is_file():
            raise ConfigError(f"HANSARD_CONFIG={path}: no such file")
        return path
    default = Path("hansard.toml")
    return default if default.is_file() else None


def load_config(path: str | Path | None = None, env: dict[str, str] | None = None) -> Config:
    """Read, override and validate; raise ConfigError naming the problem."""
    env = dict(os.environ) if env is None else env
    chosen = Path(path) if path else config_path(env)
    data: dict[str, Any] = {}
    if chosen is not None:
        try:
            data = tomllib.loads(chosen.read_text())
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise ConfigError(f"{chosen}: {e}") from None
    for section, values in _env_overrides(env).items():
        data.setdefault(section, {}).update(values)
    sections = {f.name for f in fields(Config)}
    hints = get_type_hints(Config)
    unknown = set(data) - sections
    if unknown:
        raise ConfigError(f"unknown section(s) {sorted(unknown)}; known: {sorted(sections)}")
    built = {}
    for name, values in data.items():
        if not isinstance(values, dict):
            raise ConfigError(f"[{name}] must be a table")
        built[name] = _section(name, hints[name], values)
    cfg = Config(**built)
    _validate(cfg)
    return cfg
