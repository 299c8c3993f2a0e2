"""The `[votes_api]` config section."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from flows.core.settings_types import HOUSES, Houses, HttpUrl

COMMONS_BASE_URL = "https://commonsvotes-api.parliament.uk"
LORDS_BASE_URL = "https://lordsvotes-api.parliament.uk"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    commons_base_url: HttpUrl = COMMONS_BASE_URL
    lords_base_url: HttpUrl = LORDS_BASE_URL
    houses: Houses = HOUSES
    correction_days: int = Field(30, ge=0, le=366)  # days before the last fetched one re-checked
    max_rps: float = Field(5.0, gt=0, le=50)
    max_concurrency: int = Field(4, ge=1, le=16)
    timeout_s: float = Field(60.0, gt=0, le=600)  # a response's silence before a retry
