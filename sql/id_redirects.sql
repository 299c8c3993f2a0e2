-- id_redirects: where the gids of superseded TheyWorkForYou versions point (old_gid ->
-- new_gid after following a->b->c->d). Key: old_gid, direct_gid.
-- Columns: docs/data-dictionary.md.
create or replace view id_redirects as
select
    old_gid,
    source,
    new_gid,
    direct_gid,
    matchtype,
    hops,
    house,
    sitting_date,
    sitting_year,
    source_ref,
    raw_sha256
from {{ parquet('id_redirects') }};
