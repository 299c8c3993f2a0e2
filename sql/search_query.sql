-- search_query(query_string): a search query as the search macros read it, one row per term.
-- Syntax: words are ANDed (`child poverty`: both words); `OR` (capitals) between two words or
-- phrases makes them alternatives (`benefit OR welfare cap`: (benefit or welfare) and cap);
-- `"a quoted phrase"` needs its words adjacent and in order; `-word` or `-"a phrase"`
-- excludes the contributions holding it. Words are tokenised as the text was indexed
-- (search_bm25): lower-cased, accents stripped, cut at anything but a-z, English stopwords
-- dropped, Snowball-stemmed. A word that tokenises to several tokens (`value-for-money`) is a
-- phrase of them. A stopword keeps its place in a phrase (`minister for health` matches
-- `minister of health`, not `minister health`) and is otherwise ignored; a query of stopwords
-- alone matches nothing. Bad syntax is an error naming the query: an empty query, an
-- unbalanced `"`, `OR` at an end, beside another `OR` or beside an excluded term, a `-` or `""`
-- with nothing in it, nothing to search for but exclusions, or more than 64 ANDed clauses.
-- Usage: select * from search_query('"child poverty" OR hunger -covid');
-- Columns: clause (ANDed groups, numbered from 1), alternative (the piece's position in the
-- query: a clause's alternatives are ORed), negated, phrase (the piece was quoted or a word of
-- several tokens), term (stemmed), term_offset (its token position within the piece, stopwords
-- counted), terms (the piece's term rows). Grain: one row per term occurrence in a piece.
create or replace macro search_query(query_string) as table
with

query_text as (
    select cast(query_string as varchar) as q
),

pieces as (
    select
        unnest(p) as piece,
        unnest(range(1, len(p) + 1)) as alternative
    from (
        select regexp_extract_all(q, '-?"[^"]*"|[^\s"]+') as p
        from query_text
    )
),

neighbours as (
    select
        alternative,
        piece,
        piece = 'OR' as is_or,
        starts_with(piece, '-') as negated,
        coalesce(lag(piece) over (order by alternative), '') as before,
        coalesce(lead(piece) over (order by alternative), '') as after
    from pieces
),

operands as (
    select
        alternative,
        negated,
        starts_with(ltrim(piece, '-'), '"') as quoted,
        trim(ltrim(piece, '-'), '"') as body,
        sum(case when before = 'OR' then 0 else 1 end) over (order by alternative) as clause
    from neighbours
    where not is_or
),

problems as (
    select
        case
            when q is null or trim(q) = '' then 'the query is empty'
            when (length(q) - length(replace(q, '"', ''))) % 2 = 1 then 'unbalanced "'
            else (
                select min(
                    case
                        when is_or and (before in ('', 'OR') or after in ('', 'OR'))
                            then 'OR must stand between two words or phrases'
                        when is_or and (starts_with(before, '-') or starts_with(after, '-'))
                            then 'OR cannot join an excluded (-) word or phrase'
                        when piece in ('-', '""', '-""')
                            then '"' || piece || '" has nothing to search for'
                    end
                )
                from neighbours
            )
        end as problem
    from query_text
),

positives as (
    select count(*) filter (where not negated) as positive_count
    from operands
),

checked as (
    select
        case
            when problem is not null
                then error('search: ' || problem || ' in query ' || coalesce(
                    '''' || (select q from query_text) || '''', 'null'
                ))
            when (select max(clause) from operands) > 64
                then error(
                    'search: more than 64 ANDed words or phrases in query '''
                    || (select q from query_text) || ''''
                )
            when (select positive_count from positives) = 0
                then error(
                    'search: nothing to search for but exclusions in query '''
                    || (select q from query_text) || ''''
                )
            else true
        end as ok
    from problems
),

tokens as (
    select
        clause,
        alternative,
        negated,
        quoted,
        unnest(t) as token,
        unnest(range(len(t))) as term_offset,
        len(t) as token_count
    from (
        select
            *,
            regexp_extract_all(lower(strip_accents(body)), '[a-z]+') as t
        from operands
    )
),

terms as (
    select
        clause,
        alternative,
        negated,
        quoted or token_count > 1 as phrase,
        stem(token, 'english') as term,
        cast(term_offset as integer) as term_offset
    from tokens
    where token not in (select word from search_stopwords)
),

final as (
    select
        clause,
        alternative,
        negated,
        phrase,
        term,
        term_offset,
        count(*) over (partition by alternative) as terms
    from terms
    union all
    -- always evaluated, so a bad query is an error even when it has no terms
    select null, null, null, null, null, null, null
    from checked
    where not ok
)

select * from final
order by clause, alternative, term_offset;
