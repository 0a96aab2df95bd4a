//! Errors as responses: a Chinese error page for people, `{"code","message"}` for the API.

use crate::ui::page::error_page;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use jingzhi_app::{AppError, ErrorCode, ErrorKind};
use serde::Serialize;

pub fn status_of(e: &AppError) -> StatusCode {
    if e.code == jingzhi_app::ErrorCode::PayloadTooLarge {
        return StatusCode::PAYLOAD_TOO_LARGE;
    }
    // A case step the procedure refuses conflicts with the case's current state (its status and
    // facts), not with the request's form.
    if e.code == jingzhi_app::ErrorCode::GateRefused {
        return StatusCode::CONFLICT;
    }
    match e.kind() {
        ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Locked => StatusCode::LOCKED,
        ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// An error answered as a page (for people using the browser).
#[derive(Debug)]
pub struct WebError(pub AppError);

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        WebError(e)
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let e = self.0;
        match e.code {
            ErrorCode::NotAuthenticated => Redirect::to("/login").into_response(),
            ErrorCode::PasswordChangeRequired => Redirect::to("/account/password").into_response(),
            _ => {
                let status = status_of(&e);
                let title = match status {
                    StatusCode::NOT_FOUND => "未找到",
                    StatusCode::FORBIDDEN => "无权访问",
                    StatusCode::INTERNAL_SERVER_ERROR | StatusCode::SERVICE_UNAVAILABLE => "系统暂时出错",
                    _ => "操作未完成",
                };
                (status, error_page(title, &e.message, e.code.code())).into_response()
            }
        }
    }
}

/// The API's error body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApiErrorBody {
    /// Stable error code (see docs/api-errors.md).
    pub code: String,
    /// 中文说明
    pub message: String,
    /// Field-level problems, when a request body failed validation.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<ApiFieldError>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApiFieldError {
    pub field: String,
    pub message: String,
}

/// An error answered as JSON (for the API).
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let body = ApiErrorBody {
            code: e.code.code().to_string(),
            message: e.message.clone(),
            fields: e
                .fields
                .iter()
                .map(|f| ApiFieldError {
                    field: f.field.clone(),
                    message: f.message.clone(),
                })
                .collect(),
        };
        let mut r = (status_of(&e), axum::Json(body)).into_response();
        if e.kind() == ErrorKind::Unauthenticated {
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, "Bearer".parse().expect("static header"));
        }
        r
    }
}

pub async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError(AppError::with_message(
            ErrorCode::NotFound,
            format!("没有这个接口：{}", uri.path()),
        ))
        .into_response()
    } else {
        WebError(AppError::with_message(ErrorCode::NotFound, "您访问的页面不存在。")).into_response()
    }
}
