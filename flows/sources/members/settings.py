"""The `[members]` config section."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from flows.core.cron import check_cron
from flows.core.settings_types import HttpUrl

DEFAULT_BASE_URL = "https://members-api.parliament.uk"
# mySociety's public parlparse data: the members folder of the parlparse repository
DEFAULT_PARLPARSE_URL = "https://raw.githubusercontent.com/mysociety/parlparse/master/members"
PARLPARSE_FILES = ("people.json",)  # the current file; the XML ones are no longer published


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: HttpUrl = DEFAULT_BASE_URL
    full_after_days: int = Field(28, ge=0, le=366)  # a full refresh when the last is older
    parlparse: bool = False  # fetch the parlparse members files with each refresh
    parlparse_base_url: HttpUrl = DEFAULT_PARLPARSE_URL
    parlparse_files: tuple[str, ...] = PARLPARSE_FILES
    max_rps: float = Field(10.0, gt=0, le=50)
    max_concurrency: int = Field(4, ge=1, le=16)
    schedule: str = "0 5 * * 1"  # weekly: names, parties and seats change rarely

    @field_validator("parlparse_files")
    @classmethod
    def _files(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        from flows.core.identity import MEMBERS_FILES  # polars: only when the key is given

        if not value or set(value) - set(MEMBERS_FILES):
            raise ValueError(f"must be among {MEMBERS_FILES}, got {list(value)}")
        return value

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        return check_cron(value)
