-- member_votes(id): how one member voted, newest first — every division with the member's
-- vote, teller and proxy, the result (as in division_results) and the debate
-- (division_links). Where a printed record and an official vote record hold the same division
-- (division_links), the official one is shown, once. `no-vote-recorded` rows (Commons Votes API) are kept: the member did not vote.
-- Usage: select * from member_votes(4449);
-- Grain: one row per vote of the member. Key: division_id, vote.
create or replace macro member_votes(id) as table
with

final as (
    select
        v.sitting_date,
        v.house,
        d.division_number,
        coalesce(d.title, l.debate_title) as title,
        v.vote,
        v.is_teller,
        v.proxy_name,
        case
            when d.aye_count is null or d.no_count is null then null
            when d.aye_count = d.no_count then 'tie'
            when d.aye_count > d.no_count then if(d.house = 'Lords', 'contents', 'ayes')
            else if(d.house = 'Lords', 'not-contents', 'noes')
        end as result,
        d.aye_count,
        d.no_count,
        l.debate_id,
        l.debate_title,
        v.division_id,
        v.source
    from division_votes as v
    inner join divisions as d on v.division_id = d.division_id
    left join division_links as l on v.division_id = l.division_id
    where
        v.member_id = id
        and not (d.upstream_id is null and l.same_division_id is not null)
)

select * from final
order by sitting_date desc, division_number desc, division_id;
