-- division_reconciliation: the printed record (TheyWorkForYou XML) and the official vote record
-- (the Votes APIs) of the same division side by side, never merged: counts as declared and as
-- listed in each, and every difference spelled out. Same division: division_links.
-- Listed counts: names voting each way; Commons lists leave the tellers out (as the declared
-- counts do), Lords lists count them (as theirs do). votes_compared/votes_differing: names with
-- a member id on both sides, and those of them whose vote differs.
-- status: `matched`, `record_only`, `official_only` (only the house, chamber and days both
-- sources hold divisions for are listed). Same division as division_links says.
-- Grain: one row per division (a pair, or one side). Key: record_division_id, official_division_id.
create or replace view division_reconciliation as
with

division_rows as (
    select
        division_id,
        house,
        location,
        sitting_date,
        division_number,
        aye_count,
        no_count,
        upstream_id is not null as is_official
    from divisions
),

listed as (
    select
        division_id,
        count(*) filter (where vote in ('aye', 'content') and (house = 'Lords' or not is_teller))
            as aye_listed,
        count(*) filter (where vote in ('no', 'not-content') and (house = 'Lords' or not is_teller))
            as no_listed
    from division_votes
    group by division_id
),

sides as (
    select
        d.*,
        coalesce(l.aye_listed, 0) as aye_listed,
        coalesce(l.no_listed, 0) as no_listed
    from division_rows as d
    left join listed as l on d.division_id = l.division_id
),

covered as (  -- house-days and chambers both kinds of record hold divisions for
    select
        house,
        location,
        sitting_date
    from division_rows
    group by house, location, sitting_date
    having bool_or(is_official) and bool_or(not is_official)
),

pairs as (
    select
        r.division_id as record_division_id,
        o.division_id as official_division_id,
        coalesce(r.house, o.house) as house,
        coalesce(r.location, o.location) as location,
        coalesce(r.sitting_date, o.sitting_date) as sitting_date,
        coalesce(r.division_number, o.division_number) as division_number,
        r.aye_count as record_aye_declared,
        r.no_count as record_no_declared,
        r.aye_listed as record_aye_listed,
        r.no_listed as record_no_listed,
        o.aye_count as official_aye_declared,
        o.no_count as official_no_declared,
        o.aye_listed as official_aye_listed,
        o.no_listed as official_no_listed
    from (select * from sides where not is_official) as r
    full outer join (select * from sides where is_official) as o
        on
            r.house = o.house
            and r.location = o.location
            and r.division_number = o.division_number
            and abs(date_diff('day', r.sitting_date, o.sitting_date)) <= 1
),

member_votes as (
    select
        p.record_division_id,
        count(*) as votes_compared,
        count(*) filter (
            where (r.vote in ('aye', 'content')) != (o.vote in ('aye', 'content'))
        ) as votes_differing
    from pairs as p
    inner join division_votes as r on p.record_division_id = r.division_id
    inner join division_votes as o
        on p.official_division_id = o.division_id and r.member_id = o.member_id
    where o.vote != 'no-vote-recorded' and r.member_id is not null
    group by p.record_division_id
),

compared as (
    select
        p.*,
        case
            when p.record_division_id is null then 'official_only'
            when p.official_division_id is null then 'record_only'
            else 'matched'
        end as status,
        coalesce(m.votes_compared, 0) as votes_compared,
        coalesce(m.votes_differing, 0) as votes_differing,
        list_filter(
            [
                if(p.record_aye_declared is distinct from p.official_aye_declared
                    and p.record_division_id is not null and p.official_division_id is not null,
                    format('declared ayes differ: record {}, official {}',
                        p.record_aye_declared, p.official_aye_declared), null),
                if(p.record_no_declared is distinct from p.official_no_declared
                    and p.record_division_id is not null and p.official_division_id is not null,
                    format('declared noes differ: record {}, official {}',
                        p.record_no_declared, p.official_no_declared), null),
                if(p.record_aye_declared != p.record_aye_listed,
                    format('record ayes: {} declared, {} listed',
                        p.record_aye_declared, p.record_aye_listed), null),
                if(p.record_no_declared != p.record_no_listed,
                    format('record noes: {} declared, {} listed',
                        p.record_no_declared, p.record_no_listed), null),
                if(p.official_aye_declared != p.official_aye_listed,
                    format('official ayes: {} declared, {} listed',
                        p.official_aye_declared, p.official_aye_listed), null),
                if(p.official_no_declared != p.official_no_listed,
                    format('official noes: {} declared, {} listed',
                        p.official_no_declared, p.official_no_listed), null),
                if(coalesce(m.votes_differing, 0) > 0,
                    format('{} of {} members voted differently',
                        m.votes_differing, m.votes_compared), null)
            ],
            x -> x is not null
        ) as differences
    from pairs as p
    left join member_votes as m on p.record_division_id = m.record_division_id
),

final as (
    select k.*
    from compared as k
    semi join covered as c
        on k.house = c.house and k.location = c.location and k.sitting_date = c.sitting_date
)

select * from final
order by house, sitting_date, division_number;
