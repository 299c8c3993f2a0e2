-- division_results: the result of every division — counts as declared, majority, who won, the
-- debate (division_links) and the votes by party (the party recorded with the vote, else the
-- member's party at the sitting date, else "unknown"); `no-vote-recorded` names are not votes.
-- result: `ayes`/`noes` (Commons), `contents`/`not-contents` (Lords), `tie`; null without counts.
-- Grain: one row per division. Key: division_id.
create or replace view division_results as
with

-- the party recorded with the vote, else the member's party period starting last on or before
-- the sitting date (an ASOF join: no window over every vote), if it has not ended by then
vote_rows as (
    select
        v.division_id,
        v.house,
        v.sitting_date,
        v.vote in ('aye', 'content') as is_aye,
        coalesce(
            v.party,
            if(p.end_date is null or v.sitting_date <= p.end_date, p.party_name, null),
            'unknown'
        ) as party
    from division_votes as v
    asof left join member_parties as p
        on v.member_id = p.member_id and v.sitting_date >= p.start_date
    where v.vote != 'no-vote-recorded'
),

-- grouped with the division's house and date too: a filter on them in a query reaches the
-- votes' scan (a date's results read that date's votes, not all of them)
party_counts as (
    select
        division_id,
        house,
        sitting_date,
        party,
        count(*) filter (where is_aye) as ayes,
        count(*) filter (where not is_aye) as noes
    from vote_rows
    group by division_id, house, sitting_date, party
),

by_party as (
    select
        division_id,
        house,
        sitting_date,
        list({party: party, ayes: ayes, noes: noes} order by ayes + noes desc, party) as by_party
    from party_counts
    group by division_id, house, sitting_date
),

final as (
    select
        d.division_id,
        d.source,
        d.house,
        d.sitting_date,
        d.division_number,
        coalesce(d.title, l.debate_title) as title,
        l.debate_id,
        l.debate_title,
        d.aye_count,
        d.no_count,
        abs(d.aye_count - d.no_count) as majority,
        case
            when d.aye_count is null or d.no_count is null then null
            when d.aye_count = d.no_count then 'tie'
            when d.aye_count > d.no_count then if(d.house = 'Lords', 'contents', 'ayes')
            else if(d.house = 'Lords', 'not-contents', 'noes')
        end as result,
        l.same_division_id,
        b.by_party
    from divisions as d
    left join division_links as l on d.division_id = l.division_id
    left join by_party as b
        on
            d.division_id = b.division_id
            and d.house = b.house
            and d.sitting_date = b.sitting_date
)

select * from final;
