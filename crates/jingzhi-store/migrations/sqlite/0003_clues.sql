-- Clue intake and dispatch (线索): the matter catalogue as data, boundaries and address rules for
-- jurisdiction, clues with their timeline and attachments, classification labels, counters.

-- Per-scope counters (clue numbers per year; later gapless case numbers per subject and year).
-- Incremented with an upsert in the caller's transaction: a rollback gives the number back.
CREATE TABLE counter (
    name TEXT NOT NULL,
    scope TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (name, scope)
);

-- 执法事项目录: one matter per row, its TOML definition (a [[matter]] table of data/matters.toml).
CREATE TABLE matter (
    code TEXT PRIMARY KEY,
    position BIGINT NOT NULL,
    definition TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- The out-of-remit topics of the catalogue, one TOML document.
CREATE TABLE catalogue_extra (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    definition TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Street/town and grid boundaries (GeoJSON geometry text, WGS84).
CREATE TABLE boundary (
    code TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    geometry TEXT NOT NULL,
    approximate BOOLEAN NOT NULL,
    updated_at TEXT NOT NULL
);

-- Address rules: a road name belongs to a street/town.
CREATE TABLE road_rule (
    name TEXT PRIMARY KEY,
    street_code TEXT NOT NULL,
    ambiguous BOOLEAN NOT NULL,
    also TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE clue (
    id INTEGER PRIMARY KEY,
    no TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL,
    source_ref TEXT,
    work_order_type TEXT,
    status TEXT NOT NULL,
    description TEXT NOT NULL,
    address TEXT NOT NULL,
    lng DOUBLE PRECISION,
    lat DOUBLE PRECISION,
    compound_id BIGINT REFERENCES compound(id),
    place_key TEXT,
    reporter_name TEXT,
    reporter_phone TEXT,
    anonymous BOOLEAN NOT NULL,
    reporter_org_id BIGINT REFERENCES org_unit(id),
    reporter_user_id BIGINT REFERENCES app_user(id),
    discovered_at TEXT,
    under_construction BOOLEAN NOT NULL,
    matter_code TEXT NOT NULL,
    matter_confirmed BOOLEAN NOT NULL,
    classification TEXT NOT NULL,
    suggested_department TEXT,
    street_code TEXT,
    grid_code TEXT,
    locate_method TEXT NOT NULL,
    locate_reason TEXT NOT NULL,
    assigned_org_id BIGINT REFERENCES org_unit(id),
    transferred_to_org_id BIGINT REFERENCES org_unit(id),
    handler_user_id BIGINT REFERENCES app_user(id),
    duplicate_of BIGINT REFERENCES clue(id),
    repeat_count BIGINT NOT NULL,
    verification TEXT,
    verification_note TEXT,
    disposal TEXT,
    disposal_note TEXT,
    recheck_date TEXT,
    reply TEXT,
    received_at TEXT NOT NULL,
    replied_at TEXT,
    closed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL
);
CREATE UNIQUE INDEX clue_source_ref ON clue(channel, source_ref);
CREATE INDEX clue_queue ON clue(status, street_code, received_at);
CREATE INDEX clue_assigned ON clue(assigned_org_id, status);
CREATE INDEX clue_reporter_org ON clue(reporter_org_id, received_at);
CREATE INDEX clue_duplicate ON clue(duplicate_of);
CREATE INDEX clue_received ON clue(received_at);
CREATE INDEX clue_place ON clue(place_key, received_at);
CREATE INDEX clue_point ON clue(lat, lng);

-- Full-text search over the clue's token string (CJK bigrams + words, made by jingzhi_domain::search).
CREATE VIRTUAL TABLE clue_fts USING fts5(search_text, content='clue', content_rowid='id', tokenize='unicode61');
-- New clues are indexed by the application at the end of its transaction (repo::clues::index_search):
-- indexing inside the transaction would make every later statement flush the FTS buffer.
CREATE TRIGGER clue_fts_delete AFTER DELETE ON clue BEGIN
    INSERT INTO clue_fts(clue_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER clue_fts_update AFTER UPDATE OF search_text ON clue WHEN old.search_text <> new.search_text BEGIN
    INSERT INTO clue_fts(clue_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO clue_fts(rowid, search_text) VALUES (new.id, new.search_text);
END;

-- The timeline: everything that happened to a clue.
CREATE TABLE clue_event (
    id INTEGER PRIMARY KEY,
    clue_id BIGINT NOT NULL REFERENCES clue(id),
    at TEXT NOT NULL,
    actor_user_id BIGINT,
    actor_name TEXT NOT NULL,
    actor_org_id BIGINT,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    note TEXT NOT NULL,
    data TEXT
);
CREATE INDEX clue_event_clue ON clue_event(clue_id, id);
CREATE INDEX clue_event_action ON clue_event(action, at);

CREATE TABLE clue_attachment (
    id INTEGER PRIMARY KEY,
    clue_id BIGINT NOT NULL REFERENCES clue(id),
    sha256 TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX clue_attachment_clue ON clue_attachment(clue_id);

-- Stored files (content-addressed by SHA-256; bytes in the database for the foundation store).
CREATE TABLE blob (
    sha256 TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    data BLOB NOT NULL,
    created_at TEXT NOT NULL
);

-- Dispatchers' confirmed or corrected matters: labelled data for the classifier.
CREATE TABLE classification_label (
    id INTEGER PRIMARY KEY,
    clue_id BIGINT REFERENCES clue(id),
    text TEXT NOT NULL,
    suggested TEXT NOT NULL,
    confirmed TEXT NOT NULL,
    labelled_by TEXT NOT NULL,
    labelled_at TEXT NOT NULL
);
