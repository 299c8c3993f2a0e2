"""The `[twfy_xml]` config section (the scrapedxml listings the daily run reads)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from flows.core.settings_types import HttpUrl

DEFAULT_BASE_URL = "https://www.theyworkforyou.com/pwdata"
# scrapedxml folder → the file stem it holds (twfy-xml.md A1)
FOLDERS: dict[str, str] = {
    "debates": "debates",
    "westminhall": "westminster",
    "lordspages": "daylord",
    "wms": "ministerial",
    "lordswms": "lordswms",
    "lordswrans": "lordswrans",
    "standing": "standing",
}


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: HttpUrl = DEFAULT_BASE_URL
    folders: tuple[str, ...] = tuple(FOLDERS)
    correction_days: int = Field(7, ge=0, le=366)  # the daily run re-lists this many days back
    max_rps: float = Field(2.0, gt=0, le=50)
    max_concurrency: int = Field(2, ge=1, le=16)

    @field_validator("folders")
    @classmethod
    def _folders(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value or set(value) - set(FOLDERS):
            raise ValueError(f"must be among {', '.join(FOLDERS)}, got {list(value)}")
        return value
