-- contributions_enriched: who spoke, with the party and seat they had on the day. Every
-- contribution with its resolved member (speaker_resolutions: member_id, method, reason), the
-- member's name on the sitting date (member_names; the current name when no history covers
-- it), and the party and the constituency (Commons) or peerage type (Lords) they held ON THE
-- SITTING DATE (member_parties, member_houses in the contribution's house), beside the party
-- and constituency as printed. When two periods touch the date, the later-starting one wins
-- (a party switch takes effect on its start date). Unresolved speakers have a null member_id
-- and member columns. `person_key` names the person for counting: `member:<id>` for a resolved
-- member, else `twfy:<person id>` for a TheyWorkForYou person the map cannot place, else
-- `name:<printed name>` (the speaker key, else the name; null for collective rows). `party` is the party on the sitting date
-- (abbreviation, e.g. `Lab`), else the party as printed; `party_basis` says which
-- (`on_date`, `printed`, null when neither is known).
-- Grain: one row per contribution. Key: contribution_id.
create or replace view contributions_enriched as
with

contribution_rows as (
    select * from contributions
),

resolution_rows as (
    select * from speaker_resolutions
),

member_rows as (
    select * from members
),

name_rows as (
    select * from member_names
),

party_rows as (
    select * from member_parties
),

house_rows as (
    select * from member_houses
),

resolved as (
    select
        c.contribution_id,
        c.debate_id,
        c.source,
        c.sitting_date,
        c.sitting_year,
        c.house,
        c.location,
        c.ordinal,
        c.contribution_type,
        c.speaker_key,
        c.speaker_display,
        c.speaker_name,
        c.speaker_office,
        c.constituency as printed_constituency,
        c.party as printed_party,
        c.twfy_person_id,
        r.member_id,
        r.method as resolution_method,
        r.reason as resolution_reason,
        c.word_count
    from contribution_rows as c
    left join resolution_rows as r on c.contribution_id = r.contribution_id
),

name_on_date as (
    select
        res.contribution_id,
        n.name_display
    from resolved as res
    inner join name_rows as n
        on
            res.member_id = n.member_id
            and n.start_date <= res.sitting_date
            and (n.end_date is null or res.sitting_date <= n.end_date)
    qualify row_number() over (
        partition by res.contribution_id order by n.start_date desc, n.ordinal desc
    ) = 1
),

party_on_date as (
    select
        res.contribution_id,
        p.party_id,
        p.party_name,
        p.party_abbreviation
    from resolved as res
    inner join party_rows as p
        on
            res.member_id = p.member_id
            and p.start_date <= res.sitting_date
            and (p.end_date is null or res.sitting_date <= p.end_date)
    qualify row_number() over (
        partition by res.contribution_id order by p.start_date desc, p.ordinal desc
    ) = 1
),

seat_on_date as (
    select
        res.contribution_id,
        h.membership_from
    from resolved as res
    inner join house_rows as h
        on
            res.member_id = h.member_id
            and res.house = h.house
            and (h.start_date is null or h.start_date <= res.sitting_date)
            and (h.end_date is null or res.sitting_date <= h.end_date)
    qualify row_number() over (
        partition by res.contribution_id order by h.start_date desc nulls last, h.ordinal desc
    ) = 1
),

final as (
    select
        res.contribution_id,
        res.debate_id,
        res.source,
        res.sitting_date,
        res.sitting_year,
        res.house,
        res.location,
        res.ordinal,
        res.contribution_type,
        res.speaker_key,
        res.speaker_display,
        res.speaker_name,
        res.speaker_office,
        res.printed_constituency,
        res.printed_party,
        res.twfy_person_id,
        res.member_id,
        case
            when res.member_id is not null then 'member:' || res.member_id
            when res.twfy_person_id is not null then 'twfy:' || res.twfy_person_id
            when res.contribution_type in ('collective', 'procedural') then null
            when coalesce(res.speaker_key, res.speaker_name) is not null
                then 'name:' || coalesce(res.speaker_key, res.speaker_name)
        end as person_key,
        res.resolution_method,
        res.resolution_reason,
        coalesce(nd.name_display, m.name_display) as member_name,
        m.gender as member_gender,
        pd.party_id,
        pd.party_name,
        pd.party_abbreviation,
        sd.membership_from,
        coalesce(pd.party_abbreviation, pd.party_name, res.printed_party) as party,
        case
            when coalesce(pd.party_abbreviation, pd.party_name) is not null then 'on_date'
            when res.printed_party is not null then 'printed'
        end as party_basis,
        res.word_count
    from resolved as res
    left join member_rows as m on res.member_id = m.member_id
    left join name_on_date as nd on res.contribution_id = nd.contribution_id
    left join party_on_date as pd on res.contribution_id = pd.contribution_id
    left join seat_on_date as sd on res.contribution_id = sd.contribution_id
)

select * from final;
