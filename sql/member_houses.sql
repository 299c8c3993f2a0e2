-- member_houses: house memberships over time: constituency (Commons) or peerage (Lords)
-- with start and end dates. Key: member_id, ordinal. Columns: docs/data-dictionary.md.
create or replace view member_houses as
select
    member_id,
    ordinal,
    house,
    membership_from,
    membership_from_id,
    start_date,
    end_date,
    end_reason,
    end_reason_notes,
    raw_sha256
from {{ parquet('member_houses') }};
