-- SQLite's 0009 adds each clue's status to its full-text index (FTS5), so that a search inside a
-- queue tab asks the index for both. PostgreSQL's search index is the GIN expression index over
-- clue.search_text, which the planner combines with the status index by itself: nothing to change.
-- (This file keeps the two migration trees the same list of versions.)
SELECT 1;
