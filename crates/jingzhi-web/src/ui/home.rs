//! The home page per role, and the pages of modules not built yet.

use super::auth::forced_change;
use super::page::{Layout, render};
use crate::error::WebError;
use crate::extract::User;
use crate::modules::{self, Module};
use crate::{WebState, blocking};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use jingzhi_app::clues::Queue;
use jingzhi_app::{AppError, ErrorCode};
use jingzhi_domain::authz::{Action, Resource};
use jingzhi_domain::role::Role;
use serde::Deserialize;

pub struct Fact {
    pub label: String,
    pub value: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    greeting: String,
    role_text: String,
    org_name: String,
    scope: String,
    facts: Vec<Fact>,
    modules: Vec<&'static Module>,
}

/// What each role does here, in one sentence.
fn role_text(r: Role) -> &'static str {
    match r {
        Role::BureauLeader => "您可查看全区的线索、案件、期限和统计，并审批重大执法决定。",
        Role::LegalReviewer => "您负责重大执法决定的法制审核和案卷评查。",
        Role::Inspector => "您负责执法监督：三超期两随意、重复投诉、整改闭环，并可查阅审计日志。",
        Role::Dispatcher => "您负责受理12345工单和各类线索，审核后派单到街镇执法队。",
        Role::TeamLeader => "您负责本街镇执法队：审批立案、延期、结案，指派执法队员。",
        Role::Officer => "您负责现场核查、调查取证和案件办理。",
        Role::PropertyStaff => "您可上报本企业所管小区内的违法违规行为，并跟踪办理进度。",
        Role::DepartmentLiaison => "您负责接收移送本部门的线索和执法建议书，并按期答复。",
        Role::GridWorker => "您可上报网格内发现的问题，并跟踪办理进度。",
        Role::Admin => "您负责组织机构、用户与角色、目录、日历和接口的维护。",
    }
}

#[derive(Deserialize)]
pub struct Msg {
    #[serde(default)]
    msg: String,
}

pub async fn home(State(s): State<WebState>, User(actor): User, Query(m): Query<Msg>) -> Result<Response, WebError> {
    forced_change(&actor)?;
    let app = s.app.clone();
    let a = actor.clone();
    let facts = blocking(move || {
        let mut f = Vec::new();
        // The actor's clue queues, with counts (partners: 我的上报).
        if a.can(Resource::Clue, Action::View) {
            let shown = super::clues::queues_of(&app, &a);
            for (q, n) in app.clue_queue_counts(&a)? {
                if q == Queue::All || !shown.contains(&q) {
                    continue;
                }
                f.push(Fact {
                    label: format!("线索 · {}", q.label()),
                    value: n.to_string(),
                    href: format!("/clues?queue={}", q.code()),
                });
            }
        }
        if a.can(Resource::User, Action::View) {
            f.push(Fact {
                label: "用户".into(),
                value: app.list_users(&a)?.len().to_string(),
                href: "/admin/users".into(),
            });
        }
        if a.can(Resource::OrgUnit, Action::Update) {
            f.push(Fact {
                label: "组织机构".into(),
                value: app.list_orgs(&a)?.len().to_string(),
                href: "/admin/orgs".into(),
            });
        }
        if a.can(Resource::Compound, Action::View) && !a.is_partner() || a.has_role(Role::PropertyStaff) {
            let n = app.list_compounds(&a)?.len();
            f.push(Fact {
                label: if a.has_role(Role::PropertyStaff) {
                    "本企业管理的小区".into()
                } else {
                    "辖区小区".into()
                },
                value: n.to_string(),
                href: "/admin/compounds".into(),
            });
        }
        Ok::<_, AppError>(f)
    })
    .await?;
    let mut layout = Layout::new(&s, Some(&actor), "工作台", "home");
    if m.msg == "password" {
        layout = layout.flash_ok("密码已修改。");
    }
    Ok(render(&HomePage {
        greeting: format!("{}，您好", actor.display_name),
        role_text: actor.roles.iter().map(|r| role_text(*r)).collect::<Vec<_>>().join(" "),
        org_name: actor.org.name.clone(),
        scope: actor.scope.describe(),
        facts,
        modules: modules::visible_to(&actor.roles),
        layout,
    }))
}

#[derive(Template)]
#[template(path = "module.html")]
struct ModulePage {
    layout: Layout,
    name: &'static str,
    summary: &'static str,
    seed: &'static str,
    holds: &'static [&'static str],
}

pub async fn module(
    State(s): State<WebState>,
    User(actor): User,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    forced_change(&actor)?;
    let m = modules::find(&key).ok_or_else(|| WebError(AppError::new(ErrorCode::NotFound)))?;
    if !m.roles.iter().any(|r| actor.roles.contains(r)) {
        return Err(WebError(AppError::new(ErrorCode::Forbidden)));
    }
    Ok(render(&ModulePage {
        layout: Layout::new(&s, Some(&actor), m.name, m.key),
        name: m.name,
        summary: m.summary,
        seed: m.seed,
        holds: m.holds,
    }))
}
