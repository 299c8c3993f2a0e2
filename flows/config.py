"""Configuration: one TOML file plus environment overrides, validated by pydantic-settings.

File: `--config FILE`, else `$HANSARD_CONFIG`, else `./hansard.toml` when present, else the
defaults. Sections: `[warehouse]`, `[sources]` (which sources join the daily run), `[run]`
(runner, workers, batch sizes), `[quality]`, `[schedule]`, and one section per registered
source, named after it (`[pp_text]`, `[hansard_api]`, …), declared by the source itself.
Override any key with `HANSARD__<SECTION>__<KEY>=value` (lists as JSON:
`HANSARD__HANSARD_API__HOUSES='["Lords"]'`). Unknown sections or keys, wrong types and bad
values are one ConfigError listing every problem, before anything runs; cron expressions are
checked by the Prefect scheduler's own parser (flows/core/cron.py).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from flows.core.cron import check_cron
from flows.core.runner import RUNNERS, RunnerSettings
from flows.core.settings_types import WarehouseRoot
from flows.sources import CATALOG

DEFAULT_FILE = "hansard.toml"


class ConfigError(ValueError):
    pass


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WarehouseSection(_Section):
    root: WarehouseRoot | None = None  # default: $HANSARD_WAREHOUSE, else ./warehouse


class SourcesSection(_Section):
    enabled: tuple[str, ...] = ("pp_text", "hansard_api", "votes_api")  # the daily run's sources

    @field_validator("enabled")
    @classmethod
    def _known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - set(CATALOG.names))
        if unknown:
            raise ValueError(f"unknown source(s) {unknown}; registered: {list(CATALOG.names)}")
        no_daily = [n for n in value if CATALOG[n].daily is None]
        if no_daily:
            raise ValueError(f"{no_daily} do not take part in the daily run (their own schedule)")
        return value


class RunSection(_Section):
    runner: Literal[RUNNERS] = "auto"  # type: ignore[valid-type]
    workers: int | None = Field(None, ge=1, le=256)  # default: every core
    batch_mb: float = Field(32.0, gt=0, le=4096)  # raw input per parse task
    commit_mb: float = Field(1024.0, gt=0)  # raw input per commit
    dask_address: str | None = None  # tcp://host:port of a Dask scheduler (runner "dask")
    dask_timeout_s: float = Field(30.0, gt=0, le=3600)

    @model_validator(mode="after")
    def _dask_needs_an_address(self) -> RunSection:
        if self.runner == "dask" and not self.dask_address:
            raise ValueError("runner 'dask' needs the scheduler's address: set dask_address")
        return self


class QualitySection(_Section):
    max_shrink: float = Field(0.5, gt=0, le=1)


class ScheduleSection(_Section):
    timezone: str = "Europe/London"
    daily: str = "30 6 * * *"  # after Hansard's overnight publication

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("daily")
    @classmethod
    def _cron(cls, value: str) -> str:
        return check_cron(value)


class _Env(EnvSettingsSource):
    """The environment source, reading a given mapping (tests) instead of os.environ."""

    def __init__(self, settings_cls: type[BaseSettings], env: Mapping[str, str]) -> None:
        self._given = env
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {k.lower(): v for k, v in self._given.items()}


class _Base(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HANSARD__", env_nested_delimiter="__", extra="forbid", frozen=True
    )
    TOML: ClassVar[Path | None] = None  # set on the class a load builds
    ENVIRON: ClassVar[Mapping[str, str] | None] = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings]
        env = cls.ENVIRON
        sources.append(_Env(settings_cls, env) if env is not None else env_settings)
        toml = cls.TOML
        if toml is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml))
        return tuple(sources)


@cache
def _model() -> type[_Base]:
    fields: dict[str, Any] = {
        "warehouse": (WarehouseSection, WarehouseSection()),
        "sources": (SourcesSection, SourcesSection()),
        "run": (RunSection, RunSection()),
        "quality": (QualitySection, QualitySection()),
        "schedule": (ScheduleSection, ScheduleSection()),
    }
    for source in CATALOG:
        model = source.settings.load()
        fields[source.name] = (model, model())
    return create_model("HansardConfig", __base__=_Base, **fields)


Config = Any  # an instance of _model(): sections as attributes


def config_path(env: Mapping[str, str] | None = None) -> Path | None:
    env = os.environ if env is None else env
    if env.get("HANSARD_CONFIG"):
        path = Path(env["HANSARD_CONFIG"])
        if not path.is_file():
            raise ConfigError(f"HANSARD_CONFIG={path}: no such file")
        return path
    default = Path(DEFAULT_FILE)
    return default if default.is_file() else None


def _describe(e: ValidationError) -> str:
    lines = []
    for err in e.errors():
        where = ".".join(str(p) for p in err["loc"]) or "config"
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown key" if len(err["loc"]) > 1 else "unknown section"
        got = f" (got {err['input']!r})" if err["type"] != "extra_forbidden" else ""
        lines.append(f"- {where}: {message}{got}")
    return "\n".join(lines)


def load_config(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read, override and validate; raise ConfigError listing every problem."""
    chosen = Path(path) if path else config_path(env)
    if chosen is not None:
        if not chosen.is_file():
            raise ConfigError(f"{chosen}: no such file")
        try:
            tomllib.loads(chosen.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise ConfigError(f"{chosen}: {e}") from None
        except UnicodeDecodeError as e:
            message = f"not UTF-8 text (byte {e.start}): not a TOML file"
            raise ConfigError(f"{chosen}: {message}") from None
    bound = type("BoundConfig", (_model(),), {"TOML": chosen, "ENVIRON": env})
    try:
        return bound()
    except ValidationError as e:
        where = f" in {chosen}" if chosen else ""
        raise ConfigError(f"{e.error_count()} problem(s){where}:\n{_describe(e)}") from None


def section(cfg: Config, name: str) -> Any:  # noqa: ANN401
    return getattr(cfg, name)


def runner_settings(cfg: Config) -> RunnerSettings:
    return RunnerSettings(
        cfg.run.runner, cfg.run.workers, cfg.run.dask_address, cfg.run.dask_timeout_s
    )


def as_dict(cfg: Config) -> dict[str, Any]:
    return cfg.model_dump(mode="json")
