-- member_profile(id): everything the warehouse holds about one member, in one row: names,
-- gender and current House and seat (members); party history and seat history (lists of
-- periods, oldest first); speeches per source (contributions_enriched, so every source and
-- every printed form of the name counts), words, debates, first and last sitting dates; and
-- votes (member_votes: division_votes, member ids through the identity map, a division both a
-- printed and an official record hold counted once) by how they voted; vote_count and
-- division_count leave out `no-vote-recorded`.
-- Usage: select * from member_profile(185);
-- Grain: one row for a known member id (none for an unknown one). Key: member_id.
create or replace macro member_profile(id) as table
with

member_rows as (
    select * from members where member_id = id
),

parties as (
    select
        list(
            {
                party: party_name,
                abbreviation: party_abbreviation,
                start_date: start_date,
                end_date: end_date
            }
            order by start_date, ordinal
        ) as party_history
    from member_parties
    where member_id = id
),

seats as (
    select
        list(
            {
                house: house,
                seat: membership_from,
                start_date: start_date,
                end_date: end_date,
                end_reason: end_reason
            }
            order by start_date nulls first, ordinal
        ) as seat_history
    from member_houses
    where member_id = id
),

speech_rows as (
    select * from contributions_enriched
    where member_id = id
),

per_source as (
    select
        source,
        count(*) as speeches,
        cast(sum(word_count) as bigint) as words
    from speech_rows
    group by source
),

speeches as (
    select
        (select list({source: source, speeches: speeches, words: words} order by source)
            from per_source) as speeches_by_source,
        count(*) as speech_count,
        cast(coalesce(sum(word_count), 0) as bigint) as word_count,
        count(distinct debate_id) as debate_count,
        min(sitting_date) as first_speech_date,
        max(sitting_date) as last_speech_date
    from speech_rows
),

vote_rows as (
    select * from member_votes(id)
),

per_vote as (
    select
        vote,
        count(*) as votes
    from vote_rows
    group by vote
),

votes as (
    select
        (select list({vote: vote, votes: votes} order by vote) from per_vote) as votes_by_kind,
        count(*) filter (where vote != 'no-vote-recorded') as vote_count,
        count(distinct division_id) filter (where vote != 'no-vote-recorded') as division_count
    from vote_rows
),

final as (
    select
        m.member_id,
        m.name_display,
        m.name_full_title,
        m.gender,
        m.house,
        m.membership_from,
        m.is_current,
        m.party_name as current_party,
        p.party_history,
        st.seat_history,
        sp.speeches_by_source,
        sp.speech_count,
        sp.word_count,
        sp.debate_count,
        sp.first_speech_date,
        sp.last_speech_date,
        v.votes_by_kind,
        v.vote_count,
        v.division_count
    from member_rows as m
    cross join parties as p
    cross join seats as st
    cross join speeches as sp
    cross join votes as v
)

select * from final;
