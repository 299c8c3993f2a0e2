-- debate_stats: each debate's contributions, distinct speakers, words and first named speaker,
-- per contributions partition (derived; debate_summary joins it to debates). Key: debate_id.
-- Columns: docs/data-dictionary.md.
create or replace view debate_stats as
select
    source,
    house,
    sitting_year,
    debate_id,
    contribution_count,
    speaker_count,
    word_count,
    first_speaker_key,
    first_speaker_name,
    first_speaker_member_id
from {{ parquet('debate_stats') }};
