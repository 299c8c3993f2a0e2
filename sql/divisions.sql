-- divisions: one row per division (a recorded vote), with the counts as declared.
-- Key: division_id; debate_id refers to debates, division_votes holds the names.
-- Columns: docs/data-dictionary.md.
create or replace view divisions as
select
    division_id,
    debate_id,
    source,
    source_ref,
    sitting_date,
    sitting_year,
    house,
    location,
    division_number,
    timecode,
    column_start,
    aye_count,
    no_count,
    source_url,
    raw_sha256
from {{ parquet('divisions') }};
