-- search_top(query_string, n := 20, in_house, date_from, date_to, by_member, of_party): the n best
-- matches of a search (query syntax: search_query; scores and filters: search_bm25), with what a
-- reader needs. The top n are chosen by search_bm25 (the index; the texts only of the
-- contributions a phrase must check, and speaker columns only when filtered on) and only then
-- joined to contributions, debates and the speaker tables, so only their partitions are read. Columns: contribution_id, score, snippet (about 36 words of the text around the first
-- word that matches a query term, each matching word marked <b>…</b> as PostgreSQL's
-- ts_headline does, `…` where the text is cut), sitting_date, house, location, source, title
-- (the debate's title after its parent heading's, `Parent — Title`, when it has one),
-- speaker_name (as printed), member_id (the resolved speaker, else as the source printed it),
-- party (on the sitting date: abbreviation, else name; else as printed), debate_id, text.
-- n := null returns every match (search_contributions).
-- Usage: select * from search_top('"child poverty" -covid', 10, in_house := 'Commons');
-- Grain: one row per matching contribution, at most n. Key: contribution_id.
create or replace macro search_top(
    query_string,
    n := 20,
    in_house := null,
    date_from := null,
    date_to := null,
    by_member := null,
    of_party := null
) as table
with

best as materialized (
    select b.*
    from search_bm25(
        query_string,
        in_house := in_house,
        date_from := date_from,
        date_to := date_to,
        by_member := by_member,
        of_party := of_party
    ) as b
    order by b.score desc, b.contribution_id
    limit n
),

marked_terms as (
    select distinct q.term
    from search_query(query_string) as q
    where not q.negated
),

-- the sitting dates of the n, from their partitions' id and date columns alone: files are sorted
-- by date in small row groups, so the text below is read from the row groups of those dates
best_dates as materialized (
    select
        b.contribution_id,
        c.sitting_date
    from best as b
    inner join contributions as c
        on
            b.contribution_id = c.contribution_id
            and b.source = c.source
            and b.house = c.house
            and b.sitting_year = c.sitting_year
),

-- a match's partition by equality (pruned to the partitions and dates of the n), plus the
-- contributions of the null partitions (undated pages), which equality cannot join
matched_rows as (
    select
        b.contribution_id,
        b.score,
        c.debate_id,
        c.sitting_date,
        c.house,
        c.sitting_year,
        c.location,
        c.source,
        c.speaker_name,
        c.party as printed_party,
        c.member_id as printed_member_id,
        c.text
    from best as b
    inner join best_dates as bd on b.contribution_id = bd.contribution_id
    inner join contributions as c
        on
            b.contribution_id = c.contribution_id
            and b.source = c.source
            and b.house = c.house
            and b.sitting_year = c.sitting_year
            and bd.sitting_date = c.sitting_date
    union all
    select
        b.contribution_id,
        b.score,
        c.debate_id,
        c.sitting_date,
        c.house,
        c.sitting_year,
        c.location,
        c.source,
        c.speaker_name,
        c.party as printed_party,
        c.member_id as printed_member_id,
        c.text
    from best as b
    inner join (
        select u.*
        from contributions as u
        where u.house is null or u.sitting_year is null
    ) as c
        on b.contribution_id = c.contribution_id and b.source = c.source
    where b.house is null or b.sitting_year is null
),

hits as (
    select
        m.* exclude (printed_member_id),
        coalesce(r.member_id, r_undated.member_id, m.printed_member_id) as speaker_member_id,
        coalesce(r.member_id, r_undated.member_id) as resolved_member_id
    from matched_rows as m
    -- by partition (equality prunes the files), and the null partitions apart
    left join speaker_resolutions as r
        on
            m.contribution_id = r.contribution_id
            and m.source = r.source
            and m.house = r.house
            and m.sitting_year = r.sitting_year
    left join (
        select u.*
        from speaker_resolutions as u
        where u.house is null or u.sitting_year is null
    ) as r_undated
        on
            m.contribution_id = r_undated.contribution_id
            and (m.house is null or m.sitting_year is null)
),

words as (
    select
        w.contribution_id,
        unnest(w.ws) as word,
        unnest(range(1, len(w.ws) + 1)) as word_no,
        len(w.ws) as word_count
    from (
        select
            h.contribution_id,
            string_split(regexp_replace(trim(h.text), '\s+', ' ', 'g'), ' ') as ws
        from hits as h
    ) as w
),

word_terms as (
    select
        x.word,
        stem(x.token, 'english') as term
    from (
        select
            d.word,
            unnest(regexp_extract_all(lower(strip_accents(d.word)), '[a-z]+')) as token
        from (select distinct wd.word from words as wd) as d
    ) as x
    where x.token not in (select word from search_stopwords)
),

matching_words as (
    select distinct wt.word
    from word_terms as wt
    inner join marked_terms as m on wt.term = m.term
),

flagged as (
    select
        wd.*,
        mw.word is not null as is_match
    from words as wd
    left join matching_words as mw on wd.word = mw.word
),

windows as (
    select
        f.contribution_id,
        greatest(1, coalesce(min(f.word_no) filter (where f.is_match), 1) - 12) as first_word,
        any_value(f.word_count) as word_count
    from flagged as f
    group by f.contribution_id
),

snippets as (
    select
        f.contribution_id,
        case when any_value(wi.first_word) > 1 then '… ' else '' end
        || string_agg(
            case when f.is_match then '<b>' || f.word || '</b>' else f.word end,
            ' ' order by f.word_no
        )
        || case when any_value(wi.first_word) + 35 < any_value(wi.word_count) then ' …' else '' end
            as snippet
    from flagged as f
    inner join windows as wi on f.contribution_id = wi.contribution_id
    where f.word_no between wi.first_word and wi.first_word + 35
    group by f.contribution_id
),

final as (
    select
        h.contribution_id,
        h.score,
        coalesce(s.snippet, '') as snippet,
        h.sitting_date,
        h.house,
        h.location,
        h.source,
        coalesce(pd.title || ' — ' || d.title, d.title) as title,
        h.speaker_name,
        h.speaker_member_id as member_id,
        coalesce(
            (
                select coalesce(mp.party_abbreviation, mp.party_name)
                from member_parties as mp
                where
                    mp.member_id = h.resolved_member_id
                    and mp.start_date <= h.sitting_date
                    and (mp.end_date is null or h.sitting_date <= mp.end_date)
                order by mp.start_date desc, mp.ordinal desc
                limit 1
            ),
            h.printed_party
        ) as party,
        h.debate_id,
        h.text
    from hits as h
    left join snippets as s on h.contribution_id = s.contribution_id
    left join debates as d on h.debate_id = d.debate_id
    left join debates as pd on d.parent_debate_id = pd.debate_id
)

select * from final
order by score desc, contribution_id;
