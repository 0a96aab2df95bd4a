-- Legal clocks: the working-day calendar and the clock rules (data the bureau maintains), and the
-- running clocks of clues and cases with their suspensions, extensions and alerts.

CREATE TABLE calendar_year (
    year BIGINT PRIMARY KEY,
    source TEXT NOT NULL,
    source_url TEXT,
    updated_at TEXT NOT NULL
);

CREATE TABLE calendar_day (
    day TEXT PRIMARY KEY,
    year BIGINT NOT NULL REFERENCES calendar_year(year),
    kind TEXT NOT NULL,
    name TEXT NOT NULL
);
CREATE INDEX calendar_day_year ON calendar_day(year);

-- One rule per row: its TOML definition (a [[rule]] table of data/clock-rules.toml).
CREATE TABLE clock_rule (
    code TEXT PRIMARY KEY,
    position BIGINT NOT NULL,
    definition TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- A running (or finished) legal clock on a subject (a clue, a case, a work order…).
CREATE TABLE clock (
    id INTEGER PRIMARY KEY,
    subject_type TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    rule_code TEXT NOT NULL,
    anchor_at TEXT NOT NULL,
    met_at TEXT,
    -- Last computed state and due instant (kept current by the sweep and by every change).
    state TEXT NOT NULL,
    due_at TEXT NOT NULL,
    provisional BOOLEAN NOT NULL DEFAULT 0,
    -- Scope footprint for lists: the street/town whose jurisdiction it is in.
    street_code TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX clock_subject ON clock(subject_type, subject_id);
CREATE INDEX clock_open ON clock(met_at, due_at);
CREATE INDEX clock_state ON clock(state, street_code);

CREATE TABLE clock_suspension (
    id INTEGER PRIMARY KEY,
    clock_id BIGINT NOT NULL REFERENCES clock(id),
    start_at TEXT NOT NULL,
    end_at TEXT,
    reason TEXT NOT NULL,
    approver TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX clock_suspension_clock ON clock_suspension(clock_id);

CREATE TABLE clock_extension (
    id INTEGER PRIMARY KEY,
    clock_id BIGINT NOT NULL REFERENCES clock(id),
    length BIGINT NOT NULL,
    unit TEXT,
    reason TEXT NOT NULL,
    approver TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX clock_extension_clock ON clock_extension(clock_id);

-- Alerts raised by the sweep: one per clock and kind, whatever number of servers sweep.
CREATE TABLE clock_alert (
    clock_id BIGINT NOT NULL REFERENCES clock(id),
    kind TEXT NOT NULL,
    raised_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    PRIMARY KEY (clock_id, kind)
);
CREATE INDEX clock_alert_raised ON clock_alert(raised_at);
