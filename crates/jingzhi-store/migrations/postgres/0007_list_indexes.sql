-- Indexes measured at a million cases (docs/BENCHMARKS.md, "Penalty cases").
-- The sweep walks the open clocks in id order (repo::clocks::open_clocks): without this partial
-- index each batch re-read every open clock through clock_open and sorted them.
CREATE INDEX clock_open_id ON clock(id) WHERE met_at IS NULL;
-- Case lists filtered by matter (all statuses, or open only), and a street team's open cases,
-- newest filed first; the capped counts read these indexes only.
CREATE INDEX penalty_case_matter_status ON penalty_case(matter_code, status, filed_at);
CREATE INDEX penalty_case_open_matter ON penalty_case(matter_code, filed_at)
    WHERE status NOT IN ('closed', 'archived', 'withdrawn');
CREATE INDEX penalty_case_open_street ON penalty_case(street_code, filed_at)
    WHERE status NOT IN ('closed', 'archived', 'withdrawn');
-- 三超期 lists: open clocks of a subject type in a state, most overdue first, the rule read from
-- the index (repo::cases::list_by_clock stops after one page).
CREATE INDEX clock_open_due ON clock(subject_type, state, due_at, rule_code, subject_id) WHERE met_at IS NULL;
