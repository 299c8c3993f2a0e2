-- members: one row per member of either House (Parliament member id), as the Members API
-- describes them now: names, gender, latest house, seat and party. Key: member_id.
-- Columns: docs/data-dictionary.md.
create or replace view members as
select
    member_id,
    name_display,
    name_list,
    name_full_title,
    name_address,
    gender,
    house,
    membership_from,
    membership_start_date,
    membership_end_date,
    is_current,
    party_id,
    party_name,
    party_abbreviation,
    details_from,
    fetched_at,
    raw_sha256
from {{ parquet('members') }};
