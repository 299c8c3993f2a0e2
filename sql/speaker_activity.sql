-- speaker_activity: how active is each speaker? The house(s) they spoke in, their latest
-- printed name, party and constituency, and their speeches, words, debates and first and
-- last sitting dates. "Latest printed" is the value on the speaker's most recent contribution
-- (by sitting date, then ordinal) that prints one; null when none ever did.
-- Grain: one row per speaker_key; collective rows (speaker_key null) are left out.
-- Key: speaker_key.
create or replace view speaker_activity as
with

contribution_rows as (
    select * from contributions
),

named_speeches as (
    select
        *,
        (sitting_date, ordinal, contribution_id) as recency
    from contribution_rows
    where speaker_key is not null
),

per_speaker as (
    select
        speaker_key,
        string_agg(distinct house, ', ' order by house) as houses,
        arg_max(speaker_name, recency)
            filter (where speaker_name is not null) as latest_speaker_name,
        arg_max(party, recency) filter (where party is not null) as latest_party,
        arg_max(constituency, recency)
            filter (where constituency is not null) as latest_constituency,
        count(*) as speech_count,
        cast(sum(word_count) as bigint) as word_count,
        count(distinct debate_id) as debate_count,
        min(sitting_date) as first_date,
        max(sitting_date) as last_date
    from named_speeches
    group by speaker_key
),

final as (
    select * from per_speaker
)

select * from final;
