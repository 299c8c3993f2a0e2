-- division_votes: one row per name in a division's vote lists (aye/no, content/not-content),
-- tellers and proxies marked. Key: division_id, ordinal. Columns: docs/data-dictionary.md.
create or replace view division_votes as
select
    division_id,
    source,
    house,
    sitting_date,
    sitting_year,
    ordinal,
    vote,
    voter_name,
    voter_ref,
    twfy_person_id,
    member_id,
    is_teller,
    proxy_ref,
    proxy_twfy_person_id,
    source_ref,
    raw_sha256
from {{ parquet('division_votes') }};
