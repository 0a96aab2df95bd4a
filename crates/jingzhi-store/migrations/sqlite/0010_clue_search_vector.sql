-- PostgreSQL's 0010 stores its clue search index as a tsvector column holding each clue's
-- status, as SQLite's FTS5 table clue_fts has since 0009: nothing to change here.
-- (This file keeps the two migration trees the same list of versions.)
SELECT 1;
