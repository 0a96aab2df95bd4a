-- The clue search index as a stored column, with each clue's status in it (as SQLite's 0009 put
-- the status into FTS5): `search_vector` is the tsvector of repo::clues::FTS_TEXT (the token
-- string and one token `zt<status without _>`), kept by PostgreSQL itself on every insert and
-- update. Two costs of the expression index over `search_text` go:
--  - a search walked newest first (a plain search's page) tested each clue it passed by parsing
--    its token string again (13 ms for the newest 50 of 油烟 in a million clues; 1.6 ms now);
--  - a search inside a queue tab (待受理 and 油烟) combined 43,000 word matches with 12,000
--    status matches (8–15 ms); the index now answers both at once (1.5 ms).
-- The column is PostgreSQL's own full-text index, as clue_fts is SQLite's; the migration-parity
-- test leaves tsvector columns out. At a million clues this migration rewrites the table (about
-- 75 s on two cores) and builds the index (about 20 s), holding the table meanwhile.
ALTER TABLE clue ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', search_text || ' zt' || replace(status, '_', ''))) STORED;
CREATE INDEX clue_search_vector ON clue USING GIN (search_vector);
DROP INDEX clue_search;
