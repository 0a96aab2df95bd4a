-- Indexes for the queues at a million clues (docs/BENCHMARKS.md):
-- the due-soon/overdue queues look up open clocks by state without reading the clock rows;
CREATE INDEX clock_open_state ON clock(subject_type, state, subject_id) WHERE met_at IS NULL;
-- a one-status queue of the whole district (待受理, 待派单…) is read newest first from the index;
CREATE INDEX clue_status_time ON clue(status, received_at);
-- the repeated-complaints queue reads only the clues that others repeat.
CREATE INDEX clue_repeated ON clue(received_at) WHERE repeat_count > 0;
-- Duplicate detection looks only at open clues that repeat no other (repo::clues::dedup_candidates,
-- whose condition these indexes repeat word for word so that SQLite uses them): at a million
-- clues the full indexes made every intake read dozens of closed or linked clues.
DROP INDEX clue_place;
DROP INDEX clue_point;
CREATE INDEX clue_place_open ON clue(place_key, received_at)
    WHERE duplicate_of IS NULL AND status NOT IN ('closed', 'returned', 'transferred');
CREATE INDEX clue_point_open ON clue(lat, lng)
    WHERE duplicate_of IS NULL AND status NOT IN ('closed', 'returned', 'transferred');
-- New clues enter the full-text index when their transaction commits (the store's deferred
-- writes); a token string changes only through repo::clues::set_search_text, which updates the
-- index itself. The trigger of 0003 would delete index entries not written yet.
DROP TRIGGER IF EXISTS clue_fts_update;
