"""Cron expressions checked by the scheduler's own parser: the croniter that Prefect vendors
(`prefect._vendor.croniter`) and Prefect's rule on top (no random or hashed fields), as
`prefect.client.schemas.schedules.CronSchedule` applies them.

Importing `prefect` itself takes seconds, so the vendored module file is loaded on its own
(it needs only the standard library, pytz and dateutil): validating a config stays fast, and
an expression accepted here is one the Prefect server schedules.
"""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType


@cache
def _croniter() -> ModuleType:
    spec = importlib.util.find_spec("prefect")  # locates the package without running it
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("prefect is not installed: cannot check cron expressions")
    path = (
        Path(next(iter(spec.submodule_search_locations))) / "_vendor" / "croniter" / "croniter.py"
    )
    loaded = importlib.util.spec_from_file_location("hansard_prefect_croniter", path)
    assert loaded is not None and loaded.loader is not None
    module = importlib.util.module_from_spec(loaded)
    sys.modules[loaded.name] = module
    loaded.loader.exec_module(module)
    return module


def check_cron(expr: str) -> str:
    """`expr` if the Prefect scheduler accepts it, else ValueError saying why."""
    if not _croniter().croniter.is_valid(expr):
        raise ValueError(f"not a valid cron expression: {expr!r}")
    if any(f.casefold() in ("r", "h") for f in expr.split()):
        raise ValueError(f"random and hashed cron fields are not supported: {expr!r}")
    return expr
