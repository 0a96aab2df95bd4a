//! 办案设置 (`/case-settings`): the thresholds of the gates with how sure each default is, and
//! what documents print about the bureau; administrators edit both.

use super::auth::forced_change;
use super::page::{FormState, Layout, render};
use crate::error::WebError;
use crate::extract::{FormData, User, check_csrf};
use crate::{WebState, blocking};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jingzhi_app::case_settings::CaseDocSettings;
use jingzhi_app::{Actor, ErrorKind};
use jingzhi_domain::authz::{Action, Resource};
use jingzhi_domain::case::{Confidence, PenaltyKind, Thresholds};
use serde::Deserialize;

pub struct NoteRow {
    pub field: &'static str,
    pub value: String,
    pub confidence: &'static str,
    pub unconfirmed: bool,
    pub note: &'static str,
}

#[derive(Template)]
#[template(path = "cases/settings.html")]
struct SettingsPage {
    layout: Layout,
    notes: Vec<NoteRow>,
    fields: Vec<(&'static str, &'static str)>,
    can_edit: bool,
    form: FormState,
}

#[derive(Deserialize, Default)]
pub struct Msg {
    #[serde(default)]
    msg: String,
}

fn value_of(t: &Thresholds, field: &str) -> String {
    let v = serde_json::to_value(t).ok();
    match v.as_ref().and_then(|v| v.get(field)) {
        Some(serde_json::Value::Array(a)) if a.is_empty() => "（无）".into(),
        // Penalty kinds, by their Chinese names (the TOML below keeps the codes).
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .map(|e| match e.as_str() {
                Some(code) => PenaltyKind::from_code(code)
                    .map(|k| k.label().to_string())
                    .unwrap_or_else(|| code.to_string()),
                None => e.to_string(),
            })
            .collect::<Vec<_>>()
            .join("、"),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => "（无）".into(),
        Some(serde_json::Value::Bool(b)) => if *b { "是" } else { "否" }.into(),
        Some(other) => other.to_string(),
    }
}

async fn page(s: &WebState, a: &Actor, form: Option<FormState>) -> Result<SettingsPage, WebError> {
    let app = s.app.clone();
    let actor = a.clone();
    let cur = blocking(move || app.case_settings(&actor)).await?;
    let notes = Thresholds::notes()
        .iter()
        .map(|(field, conf, note)| NoteRow {
            field,
            value: value_of(&cur.thresholds, field),
            confidence: match conf {
                Confidence::Statutory => "已核实（法律条文）",
                Confidence::Secondary => "二手来源",
                Confidence::Unconfirmed => "待核实",
            },
            unconfirmed: *conf == Confidence::Unconfirmed,
            note,
        })
        .collect();
    let form = form.unwrap_or_else(|| {
        let mut f = FormState::default();
        f.set("thresholds", cur.thresholds_toml.clone());
        for (name, _) in CaseDocSettings::LABELS {
            f.set(name, cur.documents.get(name));
        }
        f
    });
    Ok(SettingsPage {
        layout: Layout::new(s, Some(a), "办案设置", "cases"),
        notes,
        fields: CaseDocSettings::LABELS.to_vec(),
        can_edit: a.can(Resource::CaseSetting, Action::Update),
        form,
    })
}

pub async fn show(State(s): State<WebState>, User(a): User, Query(m): Query<Msg>) -> Result<Response, WebError> {
    forced_change(&a)?;
    let mut p = page(&s, &a, None).await?;
    if m.msg == "saved" {
        p.layout = p.layout.flash_ok("已保存，此后的审批与文书按新设置执行。");
    }
    Ok(render(&p))
}

pub async fn update(State(s): State<WebState>, User(a): User, form: FormData) -> Result<Response, WebError> {
    check_csrf(&a, &form)?;
    let thresholds = form.get("thresholds").to_string();
    let mut docs = CaseDocSettings::default();
    for (name, _) in CaseDocSettings::LABELS {
        docs.set(name, form.get(name));
    }
    let app = s.app.clone();
    let actor = a.clone();
    match blocking(move || app.update_case_settings(&actor, &thresholds, &docs)).await {
        Ok(()) => Ok(Redirect::to("/case-settings?msg=saved").into_response()),
        Err(e) if e.kind() == ErrorKind::Invalid => {
            let p = page(&s, &a, Some(FormState::from_pairs(form.0).with_error(&e))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
