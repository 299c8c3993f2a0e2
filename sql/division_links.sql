-- division_links: every division with the debate it belongs to and, where both a printed record
-- (TheyWorkForYou XML) and an official vote record (the Votes APIs, `upstream_id` set) hold it,
-- its counterpart. Grain: one row per division. Key: division_id.
-- The same division: same house, chamber and division number, dates at most a day apart (a
-- division after midnight carries the next day's date in the Votes APIs; a Public Bill
-- Committee's divisions, numbered from 1, are never a chamber's).
-- link_method: `source` (the source places it in a debate: TheyWorkForYou, by position in the
-- day); `same_division` (an official record takes its printed counterpart's debate); `title` (its
-- title starts with the title of a debate of the same house and chamber that day, or the day
-- before, the longest such title; e.g. "X Bill: Second Reading" → the debate "X Bill"); null: none.
create or replace view division_links as
with

division_rows as (
    select
        division_id,
        source,
        house,
        location,
        sitting_date,
        division_number,
        debate_id,
        title,
        upstream_id
    from divisions
),

pairs as (
    select
        p.division_id as record_id,
        o.division_id as official_id,
        p.debate_id as record_debate_id
    from division_rows as p
    inner join division_rows as o
        on
            p.house = o.house
            and p.location = o.location
            and p.division_number = o.division_number
            and abs(date_diff('day', p.sitting_date, o.sitting_date)) <= 1
    where p.upstream_id is null and o.upstream_id is not null
),

title_matches as (
    select
        d.division_id,
        b.debate_id,
        row_number() over (
            partition by d.division_id
            order by
                b.sitting_date = d.sitting_date desc,
                length(trim(b.title)) desc,
                b.debate_id
        ) as rank
    from division_rows as d
    inner join debates as b
        on
            b.house = d.house
            and b.location = d.location
            and b.sitting_date between d.sitting_date - 1 and d.sitting_date
    where
        d.debate_id is null
        and d.title is not null
        and length(trim(b.title)) >= 4
        and starts_with(lower(trim(d.title)), lower(trim(b.title)))
),

linked as (
    select
        d.division_id,
        d.source,
        d.house,
        d.sitting_date,
        d.division_number,
        coalesce(as_record.official_id, as_official.record_id) as same_division_id,
        coalesce(d.debate_id, as_official.record_debate_id, t.debate_id) as debate_id,
        case
            when d.debate_id is not null then 'source'
            when as_official.record_debate_id is not null then 'same_division'
            when t.debate_id is not null then 'title'
        end as link_method
    from division_rows as d
    left join pairs as as_record on d.division_id = as_record.record_id
    left join pairs as as_official on d.division_id = as_official.official_id
    left join title_matches as t on d.division_id = t.division_id and t.rank = 1
),

final as (
    select
        k.*,
        b.title as debate_title
    from linked as k
    left join debates as b on k.debate_id = b.debate_id
)

select * from final;
