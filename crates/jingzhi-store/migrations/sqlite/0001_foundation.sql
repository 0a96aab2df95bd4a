-- Foundation: places, org tree, users and roles, sessions, API keys, login attempts, audit chain,
-- scheduled job slots, settings. Instants are TEXT 'YYYY-MM-DDTHH:MM:SS.ffffffZ' (UTC).

CREATE TABLE street (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    district_code TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 1
);

CREATE TABLE org_unit (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES org_unit(id),
    kind TEXT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    street_code TEXT REFERENCES street(code),
    department_kind TEXT,
    phone TEXT,
    address TEXT,
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX org_unit_parent ON org_unit(parent_id);
CREATE INDEX org_unit_street ON org_unit(street_code);

CREATE TABLE compound (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    street_code TEXT NOT NULL REFERENCES street(code),
    community_id INTEGER REFERENCES org_unit(id),
    property_company_id INTEGER REFERENCES org_unit(id),
    lng DOUBLE PRECISION,
    lat DOUBLE PRECISION,
    households BIGINT,
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX compound_street ON compound(street_code);
CREATE INDEX compound_company ON compound(property_company_id);

CREATE TABLE app_user (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    org_id INTEGER NOT NULL REFERENCES org_unit(id),
    phone TEXT,
    certificate_no TEXT UNIQUE,
    password_hash TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT 1,
    active BOOLEAN NOT NULL DEFAULT 1,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until TEXT,
    last_login_at TEXT,
    password_changed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX app_user_org ON app_user(org_id);

CREATE TABLE user_role (
    user_id INTEGER NOT NULL REFERENCES app_user(id),
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE web_session (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES app_user(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    ip TEXT,
    user_agent TEXT
);
CREATE INDEX web_session_user ON web_session(user_id);
CREATE INDEX web_session_expires ON web_session(expires_at);

CREATE TABLE api_key (
    id INTEGER PRIMARY KEY,
    prefix TEXT NOT NULL UNIQUE,
    key_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    org_id INTEGER NOT NULL REFERENCES org_unit(id),
    roles TEXT NOT NULL,
    created_by INTEGER REFERENCES app_user(id),
    created_at TEXT NOT NULL,
    expires_at TEXT,
    last_used_at TEXT,
    active BOOLEAN NOT NULL DEFAULT 1
);

CREATE TABLE login_attempt (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    ip TEXT NOT NULL,
    at TEXT NOT NULL,
    success BOOLEAN NOT NULL
);
CREATE INDEX login_attempt_ip ON login_attempt(ip, at);
CREATE INDEX login_attempt_user ON login_attempt(username, at);

CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_user_id BIGINT,
    actor_name TEXT NOT NULL,
    actor_org_id BIGINT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);
CREATE INDEX audit_log_at ON audit_log(at);

-- The chain's head: one row, locked by every append (serialises appends on PostgreSQL).
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- Scheduled work: one row per (job, time slot); the app server whose insert wins runs it.
CREATE TABLE job_run (
    name TEXT NOT NULL,
    slot TEXT NOT NULL,
    node TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    result TEXT,
    PRIMARY KEY (name, slot)
);

CREATE TABLE setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
