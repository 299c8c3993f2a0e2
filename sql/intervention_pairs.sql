-- intervention_pairs: who spoke straight after whom, per contributions partition (derived;
-- the interventions view sums it). Key: source, house, sitting_year, speaker_key,
-- next_speaker_key. Columns: docs/data-dictionary.md.
create or replace view intervention_pairs as
select
    source,
    house,
    sitting_year,
    speaker_key,
    next_speaker_key,
    pair_count,
    debate_count,
    first_date,
    last_date
from {{ parquet('intervention_pairs') }};
