//! 执法事项目录: every matter with its legal basis, penalty, remit and evidence checklist (for
//! everyone), and the administrator's editor of one matter's definition.

use super::auth::forced_change;
use super::page::{FormState, Layout, render};
use crate::error::WebError;
use crate::extract::{FormData, User, check_csrf};
use crate::{WebState, blocking};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jingzhi_app::{Actor, AppError, ErrorCode, ErrorKind};
use jingzhi_domain::authz::{Action, Resource};
use jingzhi_domain::matter::{Fines, Matter};
use serde::Deserialize;

pub struct VariantView {
    pub name: String,
    pub legal_basis: Vec<String>,
    pub penalty: String,
    pub fines: Vec<String>,
    pub confirmed: bool,
}

pub struct MatterView {
    pub code: String,
    pub name: String,
    pub remit: String,
    pub chengguan: bool,
    pub remit_note: String,
    pub legal_basis: Vec<String>,
    pub penalty: String,
    pub fines: Vec<String>,
    pub confirmed: bool,
    pub confirmed_note: String,
    pub order_correction_first: bool,
    pub evidence: Vec<String>,
    pub variants: Vec<VariantView>,
    pub clock_rules: Vec<String>,
}

/// The fine ranges as people read them.
pub fn fine_lines(f: &Fines) -> Vec<String> {
    let mut v = Vec::new();
    if let Some(r) = f.main {
        v.push(format!("罚款{r}"));
    }
    if let Some(r) = f.serious {
        v.push(format!("情节严重的{r}"));
    }
    if let Some(r) = f.person {
        v.push(format!("个人{r}"));
    }
    if let Some(r) = f.org {
        v.push(format!("单位{r}"));
    }
    if let Some(t) = &f.formula {
        v.push(t.clone());
    }
    v
}

fn view(m: &Matter) -> MatterView {
    MatterView {
        code: m.code.clone(),
        name: m.name.clone(),
        remit: m.remit.label().to_string(),
        chengguan: m.remit.is_chengguan(),
        remit_note: m.remit_note.clone(),
        legal_basis: m.legal_basis.clone(),
        penalty: m.penalty_text.clone(),
        fines: fine_lines(&m.fines),
        confirmed: m.confirmed,
        confirmed_note: m.confirmed_note.clone().unwrap_or_default(),
        order_correction_first: m.order_correction_first,
        evidence: m.evidence_checklist.clone(),
        variants: m
            .variants
            .iter()
            .map(|v| VariantView {
                name: v.name.clone(),
                legal_basis: v.legal_basis.clone(),
                penalty: v.penalty_text.clone(),
                fines: fine_lines(&v.fines),
                confirmed: v.confirmed,
            })
            .collect(),
        clock_rules: m.clock_rules.clone(),
    }
}

#[derive(Template)]
#[template(path = "matters/list.html")]
struct ListPage {
    layout: Layout,
    matters: Vec<MatterView>,
    can_edit: bool,
}

#[derive(Deserialize, Default)]
pub struct Msg {
    #[serde(default)]
    msg: String,
}

pub async fn list(State(s): State<WebState>, User(a): User) -> Result<Response, WebError> {
    forced_change(&a)?;
    let app = s.app.clone();
    let actor = a.clone();
    let data = blocking(move || app.catalogue(&actor)).await?;
    Ok(render(&ListPage {
        layout: Layout::new(&s, Some(&a), "执法事项目录", "clues"),
        matters: data.catalogue.matters().iter().map(view).collect(),
        can_edit: a.can(Resource::Matter, Action::Update),
    }))
}

#[derive(Template)]
#[template(path = "matters/edit.html")]
struct MatterPage {
    layout: Layout,
    m: MatterView,
    can_edit: bool,
    form: FormState,
}

async fn matter_page(s: &WebState, a: &Actor, code: String, form: Option<FormState>) -> Result<MatterPage, WebError> {
    let app = s.app.clone();
    let actor = a.clone();
    let data = blocking(move || app.catalogue(&actor)).await?;
    let m = data.catalogue.get(&code).ok_or_else(|| {
        WebError(AppError::with_message(
            ErrorCode::NotFound,
            format!("未知的执法事项：{code}"),
        ))
    })?;
    let form = form.unwrap_or_else(|| {
        let mut f = FormState::default();
        f.set(
            "definition",
            data.definitions
                .iter()
                .find(|(c, _)| *c == code)
                .map(|(_, d)| d.clone())
                .unwrap_or_default(),
        );
        f
    });
    Ok(MatterPage {
        layout: Layout::new(s, Some(a), m.name.clone(), "clues"),
        m: view(m),
        can_edit: a.can(Resource::Matter, Action::Update),
        form,
    })
}

pub async fn show(
    State(s): State<WebState>,
    User(a): User,
    Path(code): Path<String>,
    Query(m): Query<Msg>,
) -> Result<Response, WebError> {
    forced_change(&a)?;
    let mut page = matter_page(&s, &a, code, None).await?;
    if m.msg == "saved" {
        page.layout = page.layout.flash_ok("已保存，各服务器在30秒内生效。");
    }
    Ok(render(&page))
}

pub async fn update(
    State(s): State<WebState>,
    User(a): User,
    Path(code): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    check_csrf(&a, &form)?;
    let app = s.app.clone();
    let actor = a.clone();
    let def = form.get("definition").to_string();
    let c = code.clone();
    match blocking(move || app.update_matter(&actor, &c, &def)).await {
        Ok(()) => Ok(Redirect::to(&format!("/matters/{code}?msg=saved")).into_response()),
        Err(e) if e.kind() == ErrorKind::Invalid => {
            let page = matter_page(&s, &a, code, Some(FormState::from_pairs(form.0).with_error(&e))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
