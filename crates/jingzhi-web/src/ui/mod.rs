//! Server-rendered pages.

mod admin;
mod auth;
mod case_settings;
mod cases;
mod clocks;
pub(crate) mod clues;
pub mod documents;
mod home;
mod matters;
pub mod page;

use crate::WebState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

/// Uploads: photos and 12345 files (a single attachment may be 20 MB; several go in one form).
const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

pub fn router() -> Router<WebState> {
    Router::new()
        .route("/", get(home::home))
        .route("/modules/{key}", get(home::module))
        .route("/clocks", get(clocks::calendar))
        .route("/clocks/rules", get(clocks::rules))
        .route("/clocks/rules/{code}", get(clocks::rule).post(clocks::update_rule))
        .route("/clocks/compute", get(clocks::compute_form).post(clocks::compute))
        .route("/clocks/import", get(clocks::import_form).post(clocks::import))
        .route(
            "/clues",
            get(clues::list)
                .post(clues::create)
                .layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/clues.xlsx", get(clues::export))
        .route("/clues/new", get(clues::new_form))
        .route(
            "/clues/import",
            get(clues::import_form)
                .post(clues::import)
                .layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/clues/export-12345", get(clues::export_12345))
        .route("/clues/files/{id}", get(clues::attachment))
        .route("/clues/{id}", get(clues::show))
        .route("/clues/{id}/step/{action}", post(clues::step))
        .route(
            "/clues/{id}/attachments",
            post(clues::upload).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/cases", get(cases::list).post(cases::create))
        .route("/case-settings", get(case_settings::show).post(case_settings::update))
        .route("/cases.xlsx", get(cases::export))
        .route("/cases/new", get(cases::new_form))
        .route("/cases/{id}", get(cases::show))
        .route("/cases/{id}/step/{action}", post(cases::step))
        .route("/cases/{id}/officers", post(cases::assign))
        .route(
            "/cases/{id}/evidence",
            post(cases::add_evidence).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/cases/{id}/records", post(cases::add_record))
        .route("/cases/{id}/documents", post(cases::issue))
        .route("/cases/documents/{id}", get(cases::document))
        .route("/cases/evidence/{id}", get(cases::evidence_file))
        .route("/publicity", get(cases::publicity))
        .route("/matters", get(matters::list))
        .route("/matters/{code}", get(matters::show).post(matters::update))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route(
            "/account/password",
            get(auth::password_page).post(auth::change_password),
        )
        .route("/admin", get(admin::index))
        .route("/admin/orgs", get(admin::orgs).post(admin::create_org))
        .route("/admin/orgs.xlsx", get(admin::orgs_xlsx))
        .route("/admin/orgs/new", get(admin::new_org))
        .route("/admin/orgs/{id}", get(admin::edit_org).post(admin::update_org))
        .route("/admin/compounds", get(admin::compounds).post(admin::create_compound))
        .route("/admin/compounds.xlsx", get(admin::compounds_xlsx))
        .route("/admin/compounds/new", get(admin::new_compound))
        .route(
            "/admin/compounds/{id}",
            get(admin::edit_compound).post(admin::update_compound),
        )
        .route("/admin/users", get(admin::users).post(admin::create_user))
        .route("/admin/users.xlsx", get(admin::users_xlsx))
        .route("/admin/users/new", get(admin::new_user))
        .route("/admin/users/{id}", get(admin::edit_user).post(admin::update_user))
        .route("/admin/users/{id}/disable", post(admin::disable_user))
        .route("/admin/users/{id}/enable", post(admin::enable_user))
        .route("/admin/users/{id}/reset-password", post(admin::reset_password))
        .route("/admin/api-keys", get(admin::api_keys).post(admin::create_api_key))
        .route("/admin/api-keys/{id}/disable", post(admin::disable_api_key))
        .route("/admin/audit", get(admin::audit))
        .route("/admin/audit.xlsx", get(admin::audit_xlsx))
        .route("/admin/audit/verify", post(admin::verify_audit))
}
