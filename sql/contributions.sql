-- contributions: one row per contribution (one speaker's turn) in a debate.
-- Key: contribution_id; debate_id refers to debates. Columns: docs/data-dictionary.md.
create or replace view contributions as
select
    contribution_id,
    debate_id,
    source,
    source_ref,
    sitting_date,
    sitting_year,
    house,
    location,
    ordinal,
    speaker_key,
    speaker_display,
    speaker_name,
    speaker_office,
    constituency,
    party,
    member_id,
    contribution_type,
    text,
    word_count,
    is_virtual,
    details_carried,
    after_gap,
    is_truncated,
    raw_sha256
from {{ parquet('contributions') }};
