-- The clue search index also holds each clue's status, as one token `zt<status without _>`
-- (ztregistered, ztaccepted, …; see repo::clues::FTS_TEXT, which must give the same text): a
-- search inside a queue tab (待受理 and a common word such as 油烟) then asks the index for the
-- clues with both, instead of taking the word's tens of thousands of matches in a million clues
-- and looking at each clue's status. repo::clues::update moves the token when the status changes.
-- (The index text is no longer exactly the content column: FTS5 'rebuild' would drop the tokens.
-- Rebuild with the INSERT below instead.)
DROP TRIGGER IF EXISTS clue_fts_delete;
CREATE TRIGGER clue_fts_delete AFTER DELETE ON clue BEGIN
    INSERT INTO clue_fts(clue_fts, rowid, search_text)
    VALUES ('delete', old.id, old.search_text || ' zt' || replace(old.status, '_', ''));
END;
INSERT INTO clue_fts(clue_fts) VALUES ('delete-all');
INSERT INTO clue_fts(rowid, search_text)
SELECT id, search_text || ' zt' || replace(status, '_', '') FROM clue;
