"""The `[hansard_api]` config section."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from flows.core.settings_types import HOUSES, Houses, HttpUrl

DEFAULT_BASE_URL = "https://hansard-api.parliament.uk"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: HttpUrl = DEFAULT_BASE_URL
    houses: Houses = HOUSES
    correction_days: int = Field(30, ge=0, le=366)  # days before the last fetched one re-checked
    max_rps: float = Field(10.0, gt=0, le=50)
    max_concurrency: int = Field(4, ge=1, le=16)
