-- divisions: one row per division (a recorded vote), with the counts as declared.
-- Key: division_id; debate_id refers to debates (TheyWorkForYou; the Votes APIs' divisions are
-- linked by division_debates), division_votes holds the names.
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
    upstream_id,
    title,
    friendly_title,
    friendly_description,
    is_deferred,
    evel_type,
    evel_country,
    double_majority_aye_count,
    double_majority_no_count,
    aye_teller_count,
    no_teller_count,
    remote_voting_start,
    remote_voting_end,
    publication_updated,
    is_government_win,
    raw_sha256
from {{ parquet('divisions') }};
