-- Penalty cases (办案): the case with its facts as JSON (what the gates read), parties,
-- officers, timeline, evidence, records (笔录), frozen documents and publicity.
-- Case numbers come from the counter table (name 'case', scope '{subject_org_id}:{year}') in
-- the filing transaction: gapless and unique per enforcement subject and year.

CREATE TABLE penalty_case (
    id INTEGER PRIMARY KEY,
    number TEXT,
    subject_org_id BIGINT NOT NULL REFERENCES org_unit(id),
    year BIGINT NOT NULL,
    seq BIGINT,
    procedure TEXT NOT NULL,
    status TEXT NOT NULL,
    matter_code TEXT NOT NULL,
    variant TEXT,
    clue_id BIGINT REFERENCES clue(id),
    street_code TEXT,
    party_name TEXT NOT NULL,
    party_kind TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    place TEXT NOT NULL,
    amount_yuan BIGINT,
    filed_at TEXT NOT NULL,
    decided_at TEXT,
    closed_at TEXT,
    created_by BIGINT REFERENCES app_user(id),
    updated_at TEXT NOT NULL,
    facts TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX penalty_case_seq ON penalty_case(subject_org_id, year, seq);
CREATE INDEX penalty_case_number ON penalty_case(number);
CREATE INDEX penalty_case_scope ON penalty_case(street_code, status, filed_at);
CREATE INDEX penalty_case_status ON penalty_case(status, filed_at);
CREATE INDEX penalty_case_filed ON penalty_case(filed_at);
CREATE INDEX penalty_case_clue ON penalty_case(clue_id);
CREATE INDEX penalty_case_open ON penalty_case(filed_at)
    WHERE status NOT IN ('closed', 'archived', 'withdrawn');

-- 当事人.
CREATE TABLE case_party (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES penalty_case(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    id_type TEXT NOT NULL,
    id_number TEXT NOT NULL,
    legal_representative TEXT,
    address TEXT NOT NULL,
    phone TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX case_party_case ON case_party(case_id, id);
CREATE INDEX case_party_name ON case_party(name);

-- 承办执法人员 (certificate number copied from app_user when assigned).
CREATE TABLE case_officer (
    case_id BIGINT NOT NULL REFERENCES penalty_case(id),
    user_id BIGINT NOT NULL REFERENCES app_user(id),
    name TEXT NOT NULL,
    certificate_no TEXT,
    assigned_at TEXT NOT NULL,
    PRIMARY KEY (case_id, user_id)
);
CREATE INDEX case_officer_user ON case_officer(user_id, case_id);

-- The timeline.
CREATE TABLE case_event (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES penalty_case(id),
    at TEXT NOT NULL,
    actor_user_id BIGINT,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    note TEXT NOT NULL,
    data TEXT
);
CREATE INDEX case_event_case ON case_event(case_id, id);

-- 证据 (metadata; the bytes, when any, are in the file store, addressed by sha256).
CREATE TABLE case_evidence (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES penalty_case(id),
    evidence_type TEXT NOT NULL,
    title TEXT NOT NULL,
    officers TEXT NOT NULL,
    collected_at TEXT NOT NULL,
    place TEXT NOT NULL,
    signature TEXT,
    sha256 TEXT,
    size BIGINT,
    content_type TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX case_evidence_case ON case_evidence(case_id, id);
CREATE INDEX case_evidence_sha ON case_evidence(sha256);

-- 笔录 (现场检查笔录, 询问笔录).
CREATE TABLE case_record (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES penalty_case(id),
    kind TEXT NOT NULL,
    content TEXT NOT NULL,
    officers TEXT NOT NULL,
    signature TEXT,
    recorded_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX case_record_case ON case_record(case_id, id);

-- Issued documents: a frozen JSON snapshot and its SHA-256. There is no update.
CREATE TABLE case_document (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES penalty_case(id),
    kind TEXT NOT NULL,
    number TEXT,
    content TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    issued_by TEXT NOT NULL
);
CREATE INDEX case_document_case ON case_document(case_id, id);

-- 公示 of decisions.
CREATE TABLE case_publicity (
    case_id BIGINT PRIMARY KEY REFERENCES penalty_case(id),
    published_at TEXT NOT NULL,
    due_by TEXT,
    withdrawn_at TEXT,
    reason TEXT,
    notice TEXT NOT NULL
);
CREATE INDEX case_publicity_published ON case_publicity(published_at);
