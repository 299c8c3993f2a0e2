"""The source registry: every source the warehouse knows, one line each, in the order the CLI,
the daily run, rebuild, `raw_inputs`, `hansard status` and the docs list them.

Adding a source: a folder `transforms/<name>/` (pure parsing), a folder
`flows/sources/<name>/` whose `__init__.py` declares `SOURCE` (flows/core/source.py), tests in
`tests/<name>/`, one section in docs/sources.md, and one line below.
"""

from __future__ import annotations

from flows.core.source import Catalog
from flows.sources import hansard_api, members, pp_text, twfy_xml, votes_api

CATALOG = Catalog(
    [
        pp_text.SOURCE,
        hansard_api.SOURCE,
        twfy_xml.SOURCE,
        votes_api.SOURCE,
        members.SOURCE,
    ]
)
