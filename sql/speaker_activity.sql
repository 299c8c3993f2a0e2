-- speaker_activity: how active is each person? One row per person, not per printed name: a
-- resolved member (member_id), else a TheyWorkForYou person the identity map cannot place
-- (twfy_person_id), else the printed name of an unidentified speaker (person_key, from
-- contributions_enriched). Two people printed with one name are two rows; one person
-- printed two ways ("The Earl of Onslow", "Earl of Onslow") is one row. The name is the
-- member's name on their latest sitting date, else the latest printed name; the party is the
-- party on the latest date that has one (`party_basis` `on_date`), else the latest printed
-- party (`printed`); also the house(s), latest printed constituency, speeches, words, debates
-- and first and last sitting dates. "Latest" is by sitting date, then ordinal.
-- Grain: one row per person; collective and procedural rows are left out. Key: person_key.
create or replace view speaker_activity as
with

enriched_rows as (
    select * from contributions_enriched
),

speeches as (
    select
        *,
        (sitting_date, ordinal, contribution_id) as recency
    from enriched_rows
    where person_key is not null
),

per_person as (
    select
        person_key,
        any_value(member_id) as member_id,
        arg_max(twfy_person_id, recency)
            filter (where twfy_person_id is not null) as twfy_person_id,
        coalesce(
            arg_max(member_name, recency) filter (where member_name is not null),
            arg_max(speaker_name, recency) filter (where speaker_name is not null),
            arg_max(speaker_key, recency) filter (where speaker_key is not null)
        ) as speaker_name,
        string_agg(distinct house, ', ' order by house) as houses,
        coalesce(
            arg_max(party, recency) filter (where party_basis = 'on_date'),
            arg_max(party, recency) filter (where party_basis = 'printed')
        ) as party,
        case
            when count(*) filter (where party_basis = 'on_date') > 0 then 'on_date'
            when count(*) filter (where party_basis = 'printed') > 0 then 'printed'
        end as party_basis,
        arg_max(printed_constituency, recency)
            filter (where printed_constituency is not null) as latest_constituency,
        count(*) as speech_count,
        cast(sum(word_count) as bigint) as word_count,
        count(distinct debate_id) as debate_count,
        min(sitting_date) as first_date,
        max(sitting_date) as last_date
    from speeches
    group by person_key
),

final as (
    select * from per_person
)

select * from final;
