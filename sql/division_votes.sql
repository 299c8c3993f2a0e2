-- division_votes: one row per name in a division's vote lists (aye/no, content/not-content),
-- tellers and proxies marked. Key: division_id, ordinal. Columns: docs/data-dictionary.md.
-- member_id is the Parliament member id as the vote list gives it, else the one the identity
-- map (twfy_people) holds for the voter's TheyWorkForYou person, as for speeches.
create or replace view division_votes as
with

vote_rows as (
    select * from {{ parquet('division_votes') }}
),

person_rows as (
    select
        twfy_id,
        member_id
    from {{ parquet('twfy_people') }}
    where member_id is not null
)

select
    v.division_id,
    v.source,
    v.house,
    v.sitting_date,
    v.sitting_year,
    v.ordinal,
    v.vote,
    v.voter_name,
    v.voter_ref,
    v.twfy_person_id,
    coalesce(v.member_id, p.member_id) as member_id,
    v.is_teller,
    v.proxy_ref,
    v.proxy_twfy_person_id,
    v.proxy_name,
    v.party,
    v.source_ref,
    v.raw_sha256
from vote_rows as v
left join person_rows as p on v.twfy_person_id = p.twfy_id;
