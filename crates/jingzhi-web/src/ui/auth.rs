//! Sign-in, sign-out, one's own password.

use super::page::{FormState, Layout, render};
use crate::error::WebError;
use crate::extract::{
    ClientIp, FormData, MaybeUser, PRE_CSRF_COOKIE, SESSION_COOKIE, User, check_csrf, cookie, safe_next, set_cookie,
};
use crate::{WebState, blocking};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use jingzhi_app::{AppError, ErrorCode, secrets};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

fn login_form(
    s: &WebState,
    next: &str,
    username: &str,
    error: Option<String>,
    status: axum::http::StatusCode,
) -> Response {
    let token = secrets::random_hex(16);
    let page = LoginPage {
        layout: Layout::new(s, None, "登录", ""),
        csrf: token.clone(),
        next: safe_next(next),
        username: username.to_string(),
        error,
    };
    let mut r = (status, render(&page)).into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(PRE_CSRF_COOKIE, &token, 3600, s.config.secure_cookies),
    );
    r
}

pub async fn login_page(State(s): State<WebState>, MaybeUser(u): MaybeUser, Query(q): Query<NextQuery>) -> Response {
    if u.is_some() {
        return Redirect::to(&safe_next(&q.next)).into_response();
    }
    login_form(&s, &q.next, "", None, axum::http::StatusCode::OK)
}

pub async fn login(State(s): State<WebState>, ClientIp(ip): ClientIp, headers: HeaderMap, form: FormData) -> Response {
    let username = form.get("username").trim().to_string();
    let next = form.get("next").to_string();
    let expected = cookie(&headers, PRE_CSRF_COOKIE).unwrap_or("");
    if expected.is_empty() || !secrets::same(expected, form.get("_csrf")) {
        return login_form(
            &s,
            &next,
            &username,
            Some(ErrorCode::CsrfFailed.message().into()),
            axum::http::StatusCode::FORBIDDEN,
        );
    }
    let app = s.app.clone();
    let password = form.get("password").to_string();
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(200).collect::<String>());
    let u = username.clone();
    match blocking(move || app.login(&u, &password, &ip, ua.as_deref())).await {
        Ok(sess) => {
            let to = if sess.must_change_password {
                "/account/password".to_string()
            } else {
                safe_next(&next)
            };
            let mut r = Redirect::to(&to).into_response();
            let max_age = s.app.config.session_idle_minutes * 60;
            r.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, &sess.token, max_age, s.config.secure_cookies),
            );
            r.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(PRE_CSRF_COOKIE, "", 0, s.config.secure_cookies),
            );
            r
        }
        Err(e) => {
            let status = crate::error::status_of(&e);
            login_form(&s, &next, &username, Some(e.message), status)
        }
    }
}

pub async fn logout(State(s): State<WebState>, User(actor): User, form: FormData) -> Result<Response, WebError> {
    check_csrf(&actor, &form)?;
    let app = s.app.clone();
    blocking(move || app.logout(&actor)).await?;
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, s.config.secure_cookies),
    );
    Ok(r)
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    layout: Layout,
    forced: bool,
    form: FormState,
}

pub async fn password_page(State(s): State<WebState>, User(actor): User) -> Response {
    render(&PasswordPage {
        layout: Layout::new(&s, Some(&actor), "修改密码", ""),
        forced: actor.must_change_password,
        form: FormState::default(),
    })
}

pub async fn change_password(
    State(s): State<WebState>,
    User(actor): User,
    form: FormData,
) -> Result<Response, WebError> {
    check_csrf(&actor, &form)?;
    let app = s.app.clone();
    let a = actor.clone();
    let (cur, new, confirm) = (
        form.get("current").to_string(),
        form.get("new").to_string(),
        form.get("confirm").to_string(),
    );
    match blocking(move || app.change_own_password(&a, &cur, &new, &confirm)).await {
        Ok(()) => Ok(Redirect::to("/?msg=password").into_response()),
        Err(e) if e.code == ErrorCode::Internal || e.code == ErrorCode::DatabaseUnavailable => Err(e.into()),
        Err(e) => {
            let page = PasswordPage {
                layout: Layout::new(&s, Some(&actor), "修改密码", ""),
                forced: actor.must_change_password,
                form: FormState::default().with_error(&e),
            };
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

/// Pages other than the password page refuse a user who must change the password first.
pub fn forced_change(actor: &jingzhi_app::Actor) -> Result<(), WebError> {
    if actor.must_change_password {
        Err(WebError(AppError::new(ErrorCode::PasswordChangeRequired)))
    } else {
        Ok(())
    }
}
