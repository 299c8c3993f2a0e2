"""The search index's version, known without importing DuckDB (a no-op run checks it).

Bump the number when the tokenisation or the index's layout changes: the derived step
re-indexes every partition whose files were made with another version. The DuckDB version is
part of it because stem() and the stopword list come from the fts extension pinned with it
(pyproject: duckdb==1.5.5); a test checks this literal against the installed duckdb.
"""

DUCKDB = "1.5.5"
SEARCH_VERSION = f"2/duckdb-{DUCKDB}"
