-- Case search (案件检索) at a million cases: a token string per case (CJK bigrams and words of the
-- number, title, parties' names and place, made by jingzhi_domain::search) in `search_text`,
-- indexed as to_tsvector('simple', …) like the clues. repo::cases keeps the string current on
-- every write. Cases stored before this migration have an empty string until
-- `repo::cases::backfill_search` fills it (the server does so on start).
ALTER TABLE penalty_case ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
CREATE INDEX penalty_case_search ON penalty_case USING GIN (to_tsvector('simple', search_text));
CREATE INDEX penalty_case_unindexed ON penalty_case(id) WHERE search_text = '';
