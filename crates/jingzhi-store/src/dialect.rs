//! The only SQL that differs between SQLite and PostgreSQL. Everything else is written once.

use crate::{Backend, Conn, Result};

/// `… FOR UPDATE` on PostgreSQL (row lock until commit); nothing on SQLite, where the single
/// writer connection already serialises every write transaction (`BEGIN IMMEDIATE`).
pub fn for_update(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "",
        Backend::Postgres => " FOR UPDATE",
    }
}

/// Serialises migrations across app servers (PostgreSQL advisory lock, held to the end of the
/// transaction). SQLite needs none.
pub fn lock_migrations(c: &mut dyn Conn) -> Result<()> {
    if c.backend() == Backend::Postgres {
        c.execute("SELECT pg_advisory_xact_lock(7411002026)", &[])?;
    }
    Ok(())
}

/// The `FROM` of the sweep's walk over open clocks in id order. SQLite's planner, without
/// statistics, prefers `clock_open (met_at, due_at)` for `met_at IS NULL` and then sorts every
/// open clock for each batch; the partial index `clock_open_id` (0007) reads just the batch.
pub fn open_clocks_from(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "clock INDEXED BY clock_open_id",
        Backend::Postgres => "clock",
    }
}

/// Case-insensitive LIKE.
pub fn ilike(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "LIKE",
        Backend::Postgres => "ILIKE",
    }
}

/// Lists user tables and their columns, for the migration-parity test; each backend's full-text
/// index is its own and left out (SQLite's FTS5 tables, PostgreSQL's tsvector columns).
pub fn table_columns(c: &mut dyn Conn) -> Result<Vec<(String, String, String)>> {
    let rows = match c.backend() {
        Backend::Sqlite => c.query(
            "SELECT m.name, p.name, lower(p.type) FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '%_fts%' \
             ORDER BY m.name, p.cid",
            &[],
        )?,
        Backend::Postgres => c.query(
            "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND data_type <> 'tsvector' \
             ORDER BY table_name, ordinal_position",
            &[],
        )?,
    };
    Ok(rows.into_iter().map(|r| (r.text(0), r.text(1), r.text(2))).collect())
}

/// The full-text condition on a clue's tokens for a token query bound as parameter `$n`, and on
/// PostgreSQL the statuses' query of [`clue_status_query_value`] as `$s` (SQLite's FTS5 query
/// holds both, `repo::clues::match_value`). SQLite: FTS5 `clue_fts` with unicode61 over the
/// pre-tokenised text; PostgreSQL: the stored tsvector `clue.search_vector` (0010) with GIN. Both
/// indexes hold each clue's status token, so a search inside a queue tab asks the index for both.
pub fn clue_search_clause(b: Backend, n: usize, s: Option<usize>) -> String {
    match (b, s) {
        (Backend::Sqlite, _) => format!("clue.id IN (SELECT rowid FROM clue_fts WHERE clue_fts MATCH ${n})"),
        (Backend::Postgres, None) => format!("clue.search_vector @@ plainto_tsquery('simple', ${n})"),
        (Backend::Postgres, Some(s)) => {
            format!("clue.search_vector @@ (plainto_tsquery('simple', ${n}) && to_tsquery('simple', ${s}))")
        }
    }
}

/// PostgreSQL: the bound value of [`clue_search_clause`]'s statuses' query — any of these status
/// tokens (`repo::clues::status_token`, letters only).
pub fn clue_status_query_value(tokens: &[String]) -> String {
    tokens.join(" | ")
}

/// A full-text search of cases (`k`) for a token query bound as `param` (`$n`): the FROM to use
/// instead of `penalty_case k` (if any) and the condition. SQLite joins from FTS5 `case_fts`, so
/// that [`case_search_order`] walks the index newest first and stops after the page; PostgreSQL
/// uses the GIN expression index.
pub fn case_search(b: Backend, param: &str) -> (Option<&'static str>, String) {
    match b {
        Backend::Sqlite => (
            Some("case_fts JOIN penalty_case k ON k.id = case_fts.rowid"),
            format!("case_fts MATCH {param}"),
        ),
        Backend::Postgres => (
            None,
            format!("to_tsvector('simple', k.search_text) @@ plainto_tsquery('simple', {param})"),
        ),
    }
}

/// The order of case search results: newest stored first (the same on both backends). On
/// PostgreSQL `k.id + 0`, so that the planner takes the matches from the GIN index and sorts them:
/// ordered by `k.id` it walks the primary key backwards computing `to_tsvector` on every row until
/// fifty match, which for a rare term is the whole table (80 s at a million cases, measured).
pub fn case_search_order(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "case_fts.rowid DESC",
        Backend::Postgres => "k.id + 0 DESC",
    }
}

/// The order of a page of clue search matches, newest first, when the matches are to be taken
/// from the indexes and sorted: on PostgreSQL `clue.id + 0`, so that the planner does not walk the
/// primary key testing every clue (as it did for case search, [`case_search_order`]).
pub fn clue_matches_newest_first(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "clue.id DESC",
        Backend::Postgres => "clue.id + 0 DESC",
    }
}

/// The open clocks read in due order through the covering partial index `clock_open_due`
/// (0007). Without statistics SQLite prefers `clock_open (met_at, due_at)` or `clock_open_state`
/// and looks up every clock's row for its rule and subject.
pub fn open_clocks_by_due_from(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "clock INDEXED BY clock_open_due",
        Backend::Postgres => "clock",
    }
}

/// A row's token string (`col`, space-separated tokens in text order) tested against a bound
/// value of [`search_row_values`] (`$n`), without the full-text index. The same answer as the
/// index: SQLite's FTS5 matches each phrase as adjacent tokens, PostgreSQL's `plainto_tsquery`
/// matches each token anywhere.
pub fn search_row_test(b: Backend, col: &str, n: usize) -> String {
    match b {
        Backend::Sqlite => format!("instr(' ' || {col} || ' ', ${n}) > 0"),
        Backend::Postgres => format!("strpos(' ' || {col} || ' ', ${n}) > 0"),
    }
}

/// The values [`search_row_test`] binds, one test each, all of which must pass.
pub fn search_row_values(b: Backend, tokens: &[String]) -> Vec<String> {
    match b {
        Backend::Sqlite => tokens.iter().map(|t| format!(" {} ", t.trim())).collect(),
        Backend::Postgres => tokens
            .iter()
            .flat_map(|t| t.split_whitespace())
            .map(|t| format!(" {t} "))
            .collect(),
    }
}

/// The bound value of a token query for [`clue_search_clause`]: every token must match.
pub fn search_query_value(b: Backend, tokens: &[String]) -> String {
    match b {
        Backend::Sqlite => tokens
            .iter()
            .map(|t| format!("\"{}\"", t.replace('"', "")))
            .collect::<Vec<_>>()
            .join(" "),
        Backend::Postgres => tokens.join(" "),
    }
}
