-- member_names: names over time (Members API nameHistory). Key: member_id, ordinal.
-- Columns: docs/data-dictionary.md.
create or replace view member_names as
select
    member_id,
    ordinal,
    name_display,
    name_list,
    name_full_title,
    name_address,
    start_date,
    end_date,
    raw_sha256
from {{ parquet('member_names') }};
