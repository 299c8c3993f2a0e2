-- search_bm25(query_string, in_house, date_from, date_to, by_member, of_party): the BM25 score of every
-- contribution that matches a search (query syntax: search_query). The text was indexed
-- (flows/derived/search.py) lower-cased, accents stripped, split on anything but a-z, English
-- stopwords (table search_stopwords) dropped, Snowball-stemmed. A contribution matches when it
-- satisfies every clause (one of its alternatives: the word, or the phrase's words adjacent and
-- in order, read from the texts of the contributions holding all of its words) and no excluded
-- word or phrase. It scores the sum over the distinct query terms it holds (excluded ones left
-- out) of
--   idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * doc_length / avg_length)),
--   idf = log10((N - df + 0.5) / (df + 0.5) + 1),  k1 = 1.2,  b = 0.75,
-- N, df and avg_length over every indexed contribution (a filter never changes a score): DuckDB
-- fts's match_bm25 with conjunctive := 1, score for score, for a query of plain words.
-- Filters (named, null = any): in_house ('Commons', 'Lords', …), date_from / date_to (sitting
-- dates, inclusive: postings of other years are left out by partition values, then the dates
-- are checked on contributions), by_member (a member id: the
-- resolved speaker, else the id the source printed), of_party (the speaker's party on the
-- sitting date, abbreviation or name, any case, else the party as printed; search_top's party
-- column). They are not called house, member_id, party: inside a macro DuckDB binds a
-- parameter over a same-named column, even in the views the macro reads.
-- Usage: select * from search_bm25('"rural libraries" -closure', in_house := 'Lords')
--        order by score desc limit 20;
-- Grain: one row per matching contribution. Key: contribution_id.
create or replace macro search_bm25(
    query_string,
    in_house := null,
    date_from := null,
    date_to := null,
    by_member := null,
    of_party := null
) as table
with

query_terms as materialized (
    select * from search_query(query_string)
),

-- what each distinct term does: scored (a term of the query not excluded), the clauses it
-- satisfies alone (a one-word alternative; a bit per clause), or an exclusion (a -word)
term_roles as (
    select
        q.term,
        bool_or(not q.negated) as scored,
        bit_or(
            case
                when q.terms = 1 and not q.negated then cast(1 as ubigint) << (q.clause - 1)
                else cast(0 as ubigint)
            end
        ) as word_mask,
        bool_or(q.terms = 1 and q.negated) as excludes
    from query_terms as q
    group by q.term
),

corpus as (
    select
        count(*) as doc_count,
        avg(doc_length) as avg_length
    from search_docs
),

-- files are sorted by term: the join's filter on term skips the other terms' row groups
postings as (
    select
        p.term,
        p.contribution_id,
        p.source,
        p.house,
        p.sitting_year,
        p.tf,
        p.doc_length
    from search_postings as p
    inner join term_roles as r on p.term = r.term
),

term_weights as (
    select
        term,
        log10(((select doc_count from corpus) - count(*) + 0.5) / (count(*) + 0.5) + 1) as idf
    from postings
    group by term
),

-- the filters are the macro's parameters (every column here is qualified: a parameter's name
-- would win over a column's)
filtered as (
    select p.*
    from postings as p
    where
        (in_house is null or p.house = cast(in_house as varchar))
        and (date_from is null or p.sitting_year >= year(cast(date_from as date)))
        and (date_to is null or p.sitting_year <= year(cast(date_to as date)))
),

-- each posting's BM25 term score (0 for an excluded term)
posting_scores as not materialized (
    select
        p.contribution_id,
        p.source,
        p.house,
        p.sitting_year,
        r.word_mask,
        r.excludes,
        case
            when r.scored
                then w.idf * p.tf * (1.2 + 1) / (
                    p.tf
                    + 1.2 * (1 - 0.75 + 0.75 * p.doc_length / (select avg_length from corpus))
                )
            else 0
        end as score
    from filtered as p
    inner join term_roles as r on p.term = r.term
    inner join term_weights as w on p.term = w.term
),

required as (
    select coalesce(bit_or(cast(1 as ubigint) << (q.clause - 1)), cast(0 as ubigint)) as mask
    from query_terms as q
    where not q.negated
),

word_required as (
    select
        coalesce(
            bit_or(cast(1 as ubigint) << (k.clause - 1)) filter (where not k.has_phrase),
            cast(0 as ubigint)
        ) as mask
    from (
        select q.clause, bool_or(q.terms > 1) as has_phrase
        from query_terms as q
        where not q.negated
        group by q.clause
    ) as k
),

-- one pass over the query's postings: the clauses each contribution satisfies by single words,
-- whether it holds an excluded word, and its score. A query of one plain word (the commonest)
-- needs no aggregation: each of its postings is one match. The conditions on the query text are
-- constants, so only one of the two branches runs.
scored as (
    select
        ps.contribution_id,
        ps.source,
        ps.house,
        ps.sitting_year,
        ps.word_mask as mask,
        ps.excludes as excluded,
        ps.score
    from posting_scores as ps
    where regexp_matches(cast(query_string as varchar), '^\s*[A-Za-z]+\s*$')
    union all
    select
        ps.contribution_id,
        any_value(ps.source) as source,
        any_value(ps.house) as house,
        any_value(ps.sitting_year) as sitting_year,
        bit_or(ps.word_mask) as mask,
        bool_or(ps.excludes) as excluded,
        sum(ps.score) as score
    from posting_scores as ps
    where not regexp_matches(cast(query_string as varchar), '^\s*[A-Za-z]+\s*$')
    group by ps.contribution_id
),

-- the contributions that satisfy every clause a word alone can satisfy and hold no excluded
-- word: only these are checked for phrases
pre_matched as materialized (
    select s.*
    from scored as s
    where
        (select mask from required) <> 0
        and (s.mask & (select mask from word_required)) = (select mask from word_required)
        and not s.excluded
),

phrase_terms as (
    select
        clause,
        alternative,
        negated,
        count(distinct term) as distinct_terms,
        any_value(terms) as terms
    from query_terms
    where terms > 1
    group by all
),

-- the contributions of pre_matched holding every term of a phrase: the candidates whose text
-- is read
phrase_candidates as materialized (
    select
        p.contribution_id,
        p.source,
        p.house,
        p.sitting_year,
        q.clause,
        q.alternative,
        q.negated
    from filtered as p
    inner join pre_matched as pm on p.contribution_id = pm.contribution_id
    inner join (
        select distinct qt.clause, qt.alternative, qt.negated, qt.term, pt.distinct_terms
        from query_terms as qt
        inner join phrase_terms as pt on qt.alternative = pt.alternative
    ) as q on p.term = q.term
    group by all
    having count(*) = any_value(q.distinct_terms)
),

-- the texts of the phrase candidates: each by its partition (equality, so only their
-- partitions are read), plus the null partitions (undated pages). No text is read at all when
-- there is no candidate, or when the query cannot hold a phrase (no quote, no word of two
-- tokens: a constant condition on the query text)
phrase_texts as (
    select c.contribution_id, c.source, c.house, c.sitting_year, c.text
    from contributions as c
    where
        regexp_matches(
            lower(strip_accents(cast(query_string as varchar))), '"|[a-z][^a-z\s"]+[a-z]'
        )
        and exists (select 1 from phrase_candidates)
),

candidate_texts as (
    select
        pc.*,
        c.text
    from phrase_candidates as pc
    inner join phrase_texts as c
        on
            pc.contribution_id = c.contribution_id
            and pc.source = c.source
            and pc.house = c.house
            and pc.sitting_year = c.sitting_year
    union all
    select
        pc.*,
        c.text
    from phrase_candidates as pc
    inner join (
        select u.*
        from phrase_texts as u
        where u.house is null or u.sitting_year is null
    ) as c
        on pc.contribution_id = c.contribution_id and pc.source = c.source
    where pc.house is null or pc.sitting_year is null
),

candidate_tokens as (
    select
        x.contribution_id,
        x.source,
        x.house,
        x.sitting_year,
        x.clause,
        x.alternative,
        x.negated,
        unnest(x.t) as token,
        unnest(range(len(x.t))) as position
    from (
        select
            ct.* exclude (text),
            regexp_extract_all(lower(strip_accents(ct.text)), '[a-z]+') as t
        from candidate_texts as ct
    ) as x
),

candidate_stems as (
    select
        token,
        stem(token, 'english') as term
    from (select distinct token from candidate_tokens)
    where token not in (select word from search_stopwords)
),

-- a phrase is found where each of its terms sits at its offset from one start position
phrase_hits as (
    select
        ct.contribution_id,
        any_value(ct.source) as source,
        any_value(ct.house) as house,
        any_value(ct.sitting_year) as sitting_year,
        any_value(ct.clause) as clause,
        any_value(ct.negated) as negated
    from candidate_tokens as ct
    inner join candidate_stems as s on ct.token = s.token
    inner join query_terms as q on ct.alternative = q.alternative and s.term = q.term
    group by ct.contribution_id, ct.alternative, ct.position - q.term_offset
    having count(distinct q.term_offset) = any_value(q.terms)
),

phrase_found as (
    select
        ph.contribution_id,
        bit_or(
            case
                when not ph.negated then cast(1 as ubigint) << (ph.clause - 1)
                else cast(0 as ubigint)
            end
        ) as mask,
        bool_or(ph.negated) as excluded
    from phrase_hits as ph
    group by ph.contribution_id
),

matched as (
    select
        s.contribution_id,
        s.source,
        s.house,
        s.sitting_year,
        s.score
    from pre_matched as s
    left join phrase_found as f on s.contribution_id = f.contribution_id
    where
        (s.mask | coalesce(f.mask, cast(0 as ubigint))) = (select mask from required)
        and not coalesce(f.excluded, false)
),

-- the speaker filters read dates, speakers and parties of the matches alone, when asked for;
-- a match's partition by equality (pruned), plus the null partitions (undated pages)
asked as (
    select m.*
    from matched as m
    -- the parameters are constants: without a speaker or date filter this is empty at plan time
    where not (date_from is null and date_to is null and by_member is null and of_party is null)
),

asked_rows as (
    select
        a.contribution_id,
        c.sitting_date,
        c.member_id,
        c.party
    from asked as a
    inner join contributions as c
        on
            a.contribution_id = c.contribution_id
            and a.source = c.source
            and a.house = c.house
            and a.sitting_year = c.sitting_year
    union all
    select
        a.contribution_id,
        c.sitting_date,
        c.member_id,
        c.party
    from asked as a
    inner join (
        select u.*
        from contributions as u
        where u.house is null or u.sitting_year is null
    ) as c
        on a.contribution_id = c.contribution_id and a.source = c.source
    where a.house is null or a.sitting_year is null
),

people as (
    select
        ar.contribution_id,
        ar.sitting_date,
        coalesce(r.member_id, ar.member_id) as speaker_member_id,
        coalesce(
            (
                select coalesce(mp.party_abbreviation, mp.party_name)
                from member_parties as mp
                where
                    mp.member_id = r.member_id
                    and mp.start_date <= ar.sitting_date
                    and (mp.end_date is null or ar.sitting_date <= mp.end_date)
                order by mp.start_date desc, mp.ordinal desc
                limit 1
            ),
            ar.party
        ) as speaker_party
    from asked_rows as ar
    left join speaker_resolutions as r on ar.contribution_id = r.contribution_id
),

kept as (
    select m.*
    from matched as m
    where
        (date_from is null and date_to is null and by_member is null and of_party is null)
        or m.contribution_id in (
            select pe.contribution_id
            from people as pe
            where
                (date_from is null or pe.sitting_date >= cast(date_from as date))
                and (date_to is null or pe.sitting_date <= cast(date_to as date))
                and (by_member is null or pe.speaker_member_id = cast(by_member as integer))
                and (
                    of_party is null
                    or lower(pe.speaker_party) = lower(cast(of_party as varchar))
                )
        )
),

final as (
    select
        k.contribution_id,
        k.source,
        k.house,
        k.sitting_year,
        k.score
    from kept as k
)

select * from final;
