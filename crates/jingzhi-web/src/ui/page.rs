//! Page scaffolding: the layout every page shares, form state, rendering.

use crate::WebState;
use crate::modules;
use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use jingzhi_app::{Actor, AppError};
use std::collections::HashMap;

pub struct UserBar {
    pub display_name: String,
    pub roles: String,
    pub org_name: String,
}

pub struct NavItem {
    pub key: &'static str,
    pub name: &'static str,
    pub href: &'static str,
    pub built: bool,
}

pub struct Flash {
    pub kind: &'static str,
    pub text: String,
}

pub struct Layout {
    pub title: String,
    pub site_name: String,
    pub demo: bool,
    pub user: Option<UserBar>,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    pub active: &'static str,
    pub flash: Option<Flash>,
}

impl Layout {
    pub fn new(s: &WebState, actor: Option<&Actor>, title: impl Into<String>, active: &'static str) -> Layout {
        Layout {
            title: title.into(),
            site_name: s.config.site_name.clone(),
            demo: s.config.demo,
            user: actor.map(|a| UserBar {
                display_name: a.display_name.clone(),
                roles: a.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join("、"),
                org_name: a.org.name.clone(),
            }),
            csrf: actor.and_then(|a| a.session_csrf()).unwrap_or_default().to_string(),
            nav: actor
                .map(|a| {
                    modules::visible_to(&a.roles)
                        .into_iter()
                        .map(|m| NavItem {
                            key: m.key,
                            name: m.name,
                            href: m.href,
                            built: m.built,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            active,
            flash: None,
        }
    }

    pub fn flash_ok(mut self, text: impl Into<String>) -> Layout {
        self.flash = Some(Flash {
            kind: "ok",
            text: text.into(),
        });
        self
    }
}

/// What a form shows: the values typed and the errors per field.
#[derive(Default)]
pub struct FormState {
    values: Vec<(String, String)>,
    errors: HashMap<String, String>,
    pub error: Option<String>,
}

impl FormState {
    pub fn from_pairs(values: Vec<(String, String)>) -> FormState {
        FormState {
            values,
            ..Default::default()
        }
    }
    pub fn set(&mut self, k: &str, v: impl Into<String>) {
        self.values.retain(|(x, _)| x != k);
        self.values.push((k.to_string(), v.into()));
    }
    pub fn add(&mut self, k: &str, v: impl Into<String>) {
        self.values.push((k.to_string(), v.into()));
    }
    pub fn v(&self, k: &str) -> &str {
        self.values
            .iter()
            .find(|(x, _)| x == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
    pub fn has(&self, k: &str, v: &str) -> bool {
        self.values.iter().any(|(x, y)| x == k && y == v)
    }
    pub fn checked(&self, k: &str) -> bool {
        matches!(self.v(k), "on" | "true" | "1")
    }
    pub fn err(&self, k: &str) -> Option<&str> {
        self.errors.get(k).map(String::as_str)
    }
    /// Takes the errors of a failed use case; field errors go next to their fields.
    pub fn with_error(mut self, e: &AppError) -> FormState {
        for f in &e.fields {
            self.errors.insert(f.field.clone(), f.message.clone());
        }
        self.error = Some(if e.fields.len() > 1 {
            e.code.message().to_string()
        } else {
            e.message.clone()
        });
        self
    }
}

pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template");
            (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "页面渲染失败").into_response()
        }
    }
}

/// The error page (minimal layout, works signed in or not).
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorTemplate<'a> {
    pub layout: Layout,
    pub heading: &'a str,
    pub message: &'a str,
    pub code: &'a str,
}

/// Renders the error page (no user bar: it works signed in or not).
pub fn error_page(title: &str, message: &str, code: &str) -> Response {
    render(&ErrorTemplate {
        layout: Layout {
            title: title.to_string(),
            site_name: "精治 · 长宁城管执法".into(),
            demo: false,
            user: None,
            csrf: String::new(),
            nav: Vec::new(),
            active: "",
            flash: None,
        },
        heading: title,
        message,
        code,
    })
}

/// A spreadsheet download: the sheet as .xlsx, named `filename` (UTF-8) in the browser.
pub fn xlsx_response(filename: &str, sheet: jingzhi_office::Sheet) -> Result<Response, crate::error::WebError> {
    let bytes = jingzhi_office::write_xlsx(&[sheet]).map_err(|e| {
        tracing::error!(error = %e, "xlsx");
        crate::error::WebError(AppError::new(jingzhi_app::ErrorCode::Internal))
    })?;
    let disposition = format!(
        "attachment; filename=\"export.xlsx\"; filename*=UTF-8''{}",
        crate::extract::urlencode(filename)
    );
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// A stored file (attachment, evidence): shown in the browser when it can show it (images, PDF,
/// audio, video), otherwise downloaded, named `filename`; never cached by shared caches.
pub fn file_response(content_type: &str, filename: &str, bytes: Vec<u8>, cache_control: &str) -> Response {
    let inline = content_type.starts_with("image/")
        || content_type == "application/pdf"
        || content_type.starts_with("video/")
        || content_type.starts_with("audio/");
    let disposition = format!(
        "{}; filename=\"file\"; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        crate::extract::urlencode(filename)
    );
    (
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_string()),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
            (axum::http::header::CACHE_CONTROL, cache_control.to_string()),
        ],
        bytes,
    )
        .into_response()
}
