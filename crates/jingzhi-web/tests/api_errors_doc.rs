//! `docs/api-errors.md` lists every error code with the server's HTTP status and the code's Chinese
//! message, exactly. Clients are written against that table, so it must not drift from the code.

use axum::response::IntoResponse;
use jingzhi_app::{AppError, ErrorCode, ErrorKind};
use jingzhi_web::WebError;
use std::collections::BTreeMap;

const DOC: &str = include_str!("../../../docs/api-errors.md");

/// One table row: `| `code` | status | message | when |`.
struct Row {
    status: String,
    message: String,
}

fn rows() -> BTreeMap<String, Row> {
    let mut out = BTreeMap::new();
    for line in DOC.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        assert!(cells.len() >= 5, "a row needs code, HTTP, message and when: {line}");
        let code = cells[1].trim_matches('`').to_string();
        let row = Row {
            status: cells[2].to_string(),
            message: cells[3].to_string(),
        };
        assert!(out.insert(code.clone(), row).is_none(), "`{code}` is listed twice");
    }
    out
}

/// The status the server answers for a code (pages and API share `status_of`). Pages redirect for
/// two codes; their API status is the one of any other code of the same kind.
fn statuses() -> BTreeMap<&'static str, u16> {
    let mut by_kind: Vec<(ErrorKind, u16)> = Vec::new();
    let mut redirected = Vec::new();
    let mut out = BTreeMap::new();
    for &code in ErrorCode::ALL {
        let status = WebError(AppError::new(code)).into_response().status();
        if status.is_redirection() {
            redirected.push(code);
        } else {
            by_kind.push((code.kind(), status.as_u16()));
            out.insert(code.code(), status.as_u16());
        }
    }
    for code in redirected {
        let status = by_kind
            .iter()
            .find(|(k, _)| *k == code.kind())
            .map(|(_, s)| *s)
            .unwrap_or_else(|| {
                panic!(
                    "no other code of kind {:?} to take the status of `{}`",
                    code.kind(),
                    code.code()
                )
            });
        out.insert(code.code(), status);
    }
    out
}

#[test]
fn every_error_code_is_documented_with_its_status_and_exact_message() {
    let rows = rows();
    let statuses = statuses();
    let mut problems = Vec::new();
    for &code in ErrorCode::ALL {
        let Some(row) = rows.get(code.code()) else {
            problems.push(format!("`{}` is missing", code.code()));
            continue;
        };
        if row.message != code.message() {
            problems.push(format!(
                "`{}`: the message is {:?} in the code but {:?} in the doc",
                code.code(),
                code.message(),
                row.message
            ));
        }
        let status = statuses[code.code()].to_string();
        if row.status != status {
            problems.push(format!(
                "`{}`: the server answers {status}, the doc says {}",
                code.code(),
                row.status
            ));
        }
    }
    for code in rows.keys() {
        if !ErrorCode::ALL.iter().any(|c| c.code() == code) {
            problems.push(format!("`{code}` is documented but is not a code (ErrorCode::ALL)"));
        }
    }
    assert!(problems.is_empty(), "docs/api-errors.md:\n{}", problems.join("\n"));
}
