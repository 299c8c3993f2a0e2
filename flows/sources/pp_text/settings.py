"""The `[pp_text]` config section."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    inbox: str = "inbox"  # transcript pages dropped here are ingested by the daily run
