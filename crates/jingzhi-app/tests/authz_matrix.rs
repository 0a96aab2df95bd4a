//! The authorisation matrix: every role × resource × action that exists, exercised through the
//! real use case, compared with the policy, and written out as docs/authz-matrix.md (the test
//! fails when the document is stale; run with UPDATE_AUTHZ_MATRIX=1 to rewrite it).

mod common;

use common::*;
use jingzhi_app::audit::AuditFilter;
use jingzhi_app::orgs::{CompoundInput, OrgInput};
use jingzhi_app::users::UserInput;
use jingzhi_app::{Actor, AppError, ErrorKind};
use jingzhi_domain::authz::{Action, Resource, actions_on, matrix, permits};
use jingzhi_domain::org::{DepartmentKind, OrgKind};
use jingzhi_domain::role::Role;
use jingzhi_testkit::Scratch;

/// Runs the use case behind one cell. Ok(true): allowed; Ok(false): refused by the role check.
fn probe(w: &World, actor: &Actor, res: Resource, act: Action, n: usize) -> Result<bool, AppError> {
    let admin_view = w.app.list_orgs(&w.actor(Role::Admin))?;
    let org_of = |code: &str| admin_view.iter().find(|o| o.code == code).unwrap().clone();
    let r: Result<(), AppError> = match (res, act) {
        (Resource::OrgUnit, Action::View) => w.app.list_orgs(actor).map(|_| ()),
        (Resource::OrgUnit, Action::Export) => w.app.export_orgs(actor).map(|_| ()),
        (Resource::OrgUnit, Action::Create) => w
            .app
            .create_org(
                actor,
                &OrgInput {
                    kind: Some(OrgKind::Department),
                    code: format!("dept-probe-{n}"),
                    name: "探测部门".into(),
                    department_kind: Some(DepartmentKind::Other),
                    active: true,
                    ..Default::default()
                },
            )
            .map(|_| ()),
        (Resource::OrgUnit, Action::Update) => {
            let o = org_of("dept-housing");
            w.app.update_org(
                actor,
                o.id,
                &OrgInput {
                    kind: Some(o.kind),
                    code: o.code.clone(),
                    name: format!("长宁区房屋管理局{n}"),
                    department_kind: o.department_kind,
                    active: true,
                    ..Default::default()
                },
            )
        }
        (Resource::OrgUnit | Resource::Compound, Action::Import) => {
            w.app.import_places(actor, PLACES, true).map(|_| ())
        }
        (Resource::Compound, Action::View) => w.app.list_compounds(actor).map(|_| ()),
        (Resource::Compound, Action::Export) => w.app.export_compounds(actor).map(|_| ()),
        (Resource::Compound, Action::Create) => w
            .app
            .create_compound(
                actor,
                &CompoundInput {
                    code: format!("cp-probe-{n}"),
                    name: "探测小区".into(),
                    address: "长宁区探测路1号".into(),
                    street_code: "310105001".into(),
                    active: true,
                    ..Default::default()
                },
            )
            .map(|_| ()),
        (Resource::Compound, Action::Update) => {
            let all = w.app.list_compounds(&w.actor(Role::Admin))?;
            let c = all.iter().find(|c| c.code == "cp-0003").unwrap();
            w.app.update_compound(
                actor,
                c.id,
                &CompoundInput {
                    code: c.code.clone(),
                    name: format!("华阳二村{n}"),
                    address: c.address.clone(),
                    street_code: c.street_code.to_string(),
                    active: true,
                    ..Default::default()
                },
            )
        }
        (Resource::User, Action::View) => w.app.list_users(actor).map(|_| ()),
        (Resource::User, Action::Export) => w.app.export_users(actor).map(|_| ()),
        (Resource::User, Action::Create) => w
            .app
            .create_user(
                actor,
                &UserInput {
                    username: format!("probe{n}"),
                    display_name: "探测".into(),
                    org_id: org_of("dispatch").id,
                    roles: vec![Role::Dispatcher],
                    ..Default::default()
                },
            )
            .map(|_| ()),
        (Resource::User, Action::Update) => {
            let target = w.app.find_user_by_username(&w.actor(Role::Admin), "grid")?;
            w.app.update_user(
                actor,
                target.id,
                &UserInput {
                    username: target.username.clone(),
                    display_name: format!("黄梅{n}"),
                    org_id: target.org_id,
                    roles: target.roles.clone(),
                    ..Default::default()
                },
            )
        }
        (Resource::User, Action::Disable) => {
            let target = w.app.find_user_by_username(&w.actor(Role::Admin), "officer2")?;
            w.app.set_user_active(actor, target.id, true)
        }
        (Resource::ApiKey, Action::View) => w.app.list_api_keys(actor).map(|_| ()),
        (Resource::ApiKey, Action::Create) => w
            .app
            .create_api_key(actor, "探测", "dispatch", &[Role::Dispatcher], None)
            .map(|_| ()),
        (Resource::ApiKey, Action::Disable) => {
            let k = w
                .app
                .create_api_key(&w.actor(Role::Admin), "待停用", "dispatch", &[Role::Dispatcher], None)?;
            w.app.disable_api_key(actor, k.id)
        }
        (Resource::AuditLog, Action::View) => w.app.list_audit(actor, &AuditFilter::default(), 10).map(|_| ()),
        (Resource::AuditLog, Action::Export) => w.app.export_audit(actor, &AuditFilter::default()).map(|_| ()),
        (Resource::AuditLog, Action::Verify) => w.app.verify_audit(actor, &mut |_| {}).map(|_| ()),
        (Resource::Calendar, Action::View) => w.app.calendar_year(actor, 2026).map(|_| ()),
        (Resource::Calendar, Action::Import | Action::Update) => w
            .app
            .import_calendar(
                actor,
                "date,kind,name\n2030-01-01,holiday,元旦\n",
                jingzhi_app::clocks::CalendarFile::Csv {
                    year: 2030,
                    source: "探测".into(),
                },
                false,
            )
            .map(|_| ()),
        (Resource::ClockRule, Action::View) => w.app.clock_rules(actor).map(|_| ()),
        (Resource::ClockRule, Action::Update) => {
            let def = w.app.clock_rules(&w.actor(Role::Admin))?.definitions[0].1.clone();
            let code = w.app.clock_rules(&w.actor(Role::Admin))?.definitions[0].0.clone();
            w.app.update_clock_rule(actor, &code, &def).map(|_| ())
        }
        (r, a) => panic!("no probe for {r:?} × {a:?}: add one when adding a resource or action"),
    };
    match r {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == ErrorKind::Forbidden && e.code == jingzhi_app::ErrorCode::Forbidden => Ok(false),
        Err(e) => Err(e),
    }
}

#[test]
fn every_cell_of_the_matrix_is_enforced_by_its_use_case() {
    let s = Scratch::sqlite();
    let w = world(&s);
    let mut n = 0;
    let mut failures = Vec::new();
    for &role in Role::ALL {
        let actor = w.actor(role);
        for &res in Resource::ALL {
            for &act in actions_on(res) {
                n += 1;
                let expected = permits(role, res, act);
                match probe(&w, &actor, res, act, n) {
                    Ok(got) if got == expected => {}
                    Ok(got) => failures.push(format!(
                        "{role:?} × {res:?} × {act:?}: policy {expected}, use case {got}"
                    )),
                    Err(e) => failures.push(format!("{role:?} × {res:?} × {act:?}: unexpected error {e}")),
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(n, matrix().len());
}

#[test]
fn the_matrix_document_is_current() {
    let mut doc = String::from(
        "# Authorisation matrix · 权限矩阵\n\nGenerated by `crates/jingzhi-app/tests/authz_matrix.rs` from `jingzhi_domain::authz::permits`\n\
         (run `UPDATE_AUTHZ_MATRIX=1 cargo test -p jingzhi-app --test authz_matrix` to rewrite). Every cell is also\n\
         exercised through its use case. Data scope applies on top of this table (see ARCHITECTURE.md).\n\n",
    );
    for &res in Resource::ALL {
        doc.push_str(&format!("## {} `{}`\n\n| 角色 |", res.label(), res.code()));
        for &act in actions_on(res) {
            doc.push_str(&format!(" {} |", act.label()));
        }
        doc.push_str("\n|---|");
        for _ in actions_on(res) {
            doc.push_str("---|");
        }
        doc.push('\n');
        for &role in Role::ALL {
            doc.push_str(&format!("| {} `{}` |", role.label(), role.code()));
            for &act in actions_on(res) {
                doc.push_str(if permits(role, res, act) { " ✔ |" } else { " · |" });
            }
            doc.push('\n');
        }
        doc.push('\n');
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/authz-matrix.md");
    if std::env::var("UPDATE_AUTHZ_MATRIX").is_ok() {
        std::fs::write(path, &doc).unwrap();
    }
    let current = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        current == doc,
        "docs/authz-matrix.md is stale: run UPDATE_AUTHZ_MATRIX=1 cargo test -p jingzhi-app --test authz_matrix"
    );
}
