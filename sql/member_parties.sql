-- member_parties: party affiliation over time, one row per period in one party (Members API
-- partyHistory). Key: member_id, ordinal. Columns: docs/data-dictionary.md.
create or replace view member_parties as
select
    member_id,
    ordinal,
    party_id,
    party_name,
    party_abbreviation,
    is_independent,
    start_date,
    end_date,
    raw_sha256
from {{ parquet('member_parties') }};
