-- Case search (案件检索) at a million cases: a token string per case (CJK bigrams and words of the
-- number, title, parties' names and place, made by jingzhi_domain::search) in `search_text`,
-- indexed by FTS5 like the clues. repo::cases keeps the string current on every write; the
-- triggers keep the index in step with the string. Cases stored before this migration have an
-- empty string until `repo::cases::backfill_search` fills it (the server does so on start).
ALTER TABLE penalty_case ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
CREATE VIRTUAL TABLE case_fts USING fts5(search_text, content='penalty_case', content_rowid='id', tokenize='unicode61');
CREATE TRIGGER case_fts_insert AFTER INSERT ON penalty_case WHEN new.search_text <> '' BEGIN
    INSERT INTO case_fts(rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER case_fts_update AFTER UPDATE OF search_text ON penalty_case
    WHEN old.search_text <> new.search_text BEGIN
    INSERT INTO case_fts(case_fts, rowid, search_text)
        SELECT 'delete', old.id, old.search_text WHERE old.search_text <> '';
    INSERT INTO case_fts(rowid, search_text) SELECT new.id, new.search_text WHERE new.search_text <> '';
END;
CREATE TRIGGER case_fts_delete AFTER DELETE ON penalty_case WHEN old.search_text <> '' BEGIN
    INSERT INTO case_fts(case_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE INDEX penalty_case_unindexed ON penalty_case(id) WHERE search_text = '';
