"""The `[hansard_api]` config section."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from flows.core.settings_types import HttpUrl

DEFAULT_BASE_URL = "https://hansard-api.parliament.uk"
HOUSES = ("Commons", "Lords")


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: HttpUrl = DEFAULT_BASE_URL
    houses: tuple[str, ...] = HOUSES
    correction_days: int = Field(30, ge=0, le=366)  # days before the last fetched one re-checked
    max_rps: float = Field(10.0, gt=0, le=50)
    max_concurrency: int = Field(4, ge=1, le=16)

    @field_validator("houses")
    @classmethod
    def _houses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value or set(value) - set(HOUSES):
            raise ValueError(f"must be among {HOUSES}, got {list(value)}")
        return value
