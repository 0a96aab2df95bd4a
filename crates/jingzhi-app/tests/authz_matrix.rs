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
        (Resource::Matter, Action::View) => w.app.catalogue(actor).map(|_| ()),
        (Resource::Matter, Action::Update) => {
            let data = w.app.catalogue(&w.actor(Role::Admin))?;
            let (code, def) = data.definitions[0].clone();
            w.app.update_matter(actor, &code, &def)
        }
        (Resource::Boundary, Action::View) => w.app.list_boundaries(actor).map(|_| ()),
        (Resource::Boundary, Action::Import) => w
            .app
            .import_boundaries(
                actor,
                jingzhi_app::intake::DEMO_BOUNDARIES,
                jingzhi_domain::geo::BoundaryLevel::Street,
                true,
            )
            .map(|_| ()),
        (Resource::Clue, Action::View) => w
            .app
            .list_clues(actor, &jingzhi_app::clues::ListRequest::default())
            .map(|_| ()),
        (Resource::Clue, Action::Create) => {
            let mut n = jingzhi_app::clues::NewClue::new(
                jingzhi_domain::clue::Channel::Patrol,
                "有人占道经营",
                "长宁区华阳路100号",
            );
            if actor.org.kind == OrgKind::PropertyCompany {
                n.compound_id = w.app.list_compounds(actor)?.first().map(|c| c.id);
            }
            w.app.register_clue(actor, &n).map(|_| ())
        }
        (Resource::Clue, Action::Import) => {
            let rows = jingzhi_app::hotline::rows_of_file(
                "工单编号,受理时间,诉求内容,事发地址\nP1,2026-03-01 09:00,油烟,某路\n".as_bytes(),
            )?;
            w.app.import_12345(actor, &rows, true).map(|_| ())
        }
        (Resource::Clue, Action::Export) => w
            .app
            .export_clues(actor, &jingzhi_app::clues::ListRequest::default())
            .map(|_| ()),
        (Resource::Case, Action::View) => w
            .app
            .list_cases(actor, &jingzhi_app::cases::CaseListRequest::default())
            .map(|_| ()),
        (Resource::Case, Action::Create) => {
            let leader = actor.has_role(Role::TeamLeader) || actor.has_role(Role::BureauLeader);
            let mut c = probe_case(w, n);
            if !leader {
                c.procedure = jingzhi_domain::case::ProcedureKind::Simple;
                c.decision = Some(probe_fine());
            }
            w.app.open_case(actor, &c).map(|_| ())
        }
        (Resource::Case, Action::Update) => {
            let id = w.app.open_case(&w.actor(Role::TeamLeader), &probe_case(w, n))?;
            let party = jingzhi_domain::case::Party::citizen("李四", "11010519491231002X", "上海市长宁区华阳路2号")
                .expect("valid party");
            w.app.add_party(actor, id, &party).map(|_| ())
        }
        (Resource::Evidence, Action::View) => {
            let id = w.app.open_case(&w.actor(Role::TeamLeader), &probe_case(w, n))?;
            w.app.list_evidence(actor, id).map(|_| ())
        }
        (Resource::Evidence, Action::Create) => {
            let id = w.app.open_case(&w.actor(Role::TeamLeader), &probe_case(w, n))?;
            let c = probe_case(w, n);
            w.app
                .add_evidence(
                    actor,
                    id,
                    &jingzhi_app::cases::NewEvidence {
                        evidence_type: jingzhi_domain::case::EvidenceType::AudioVisual,
                        title: "现场照片".into(),
                        collected_by: c.officer_ids,
                        collected_at: None,
                        place: "华阳路100号".into(),
                        signature: None,
                        sha256: None,
                        size: None,
                        content_type: None,
                    },
                )
                .map(|_| ())
        }
        (Resource::CaseSetting, Action::View) => w.app.case_settings(actor).map(|_| ()),
        (Resource::CaseSetting, Action::Update) => {
            let docs = jingzhi_app::case_settings::CaseDocSettings {
                court: format!("上海市长宁区人民法院{n}"),
                ..Default::default()
            };
            w.app
                .update_case_settings(actor, "hearing_fine_citizen_yuan = 5000\n", &docs)
        }
        (r, a) => panic!("no probe for {r:?} × {a:?}: add one when adding a resource or action"),
    };
    match r {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == ErrorKind::Forbidden && e.code == jingzhi_app::ErrorCode::Forbidden => Ok(false),
        Err(e) => Err(e),
    }
}

/// A new ordinary case in the test team's street, with the team's two certified officers.
fn probe_case(w: &World, n: usize) -> jingzhi_app::cases::OpenCase {
    let admin = w.actor(Role::Admin);
    let officer_ids = ["officer", "officer2"]
        .iter()
        .map(|u| w.app.find_user_by_username(&admin, u).unwrap().id)
        .collect();
    let street = w.actor(Role::TeamLeader).org.street_code.map(|s| s.to_string());
    jingzhi_app::cases::OpenCase {
        procedure: jingzhi_domain::case::ProcedureKind::Ordinary,
        clue_id: None,
        matter_code: "street_vending".into(),
        variant: None,
        street_code: street,
        title: format!("探测案件{n}"),
        summary: "占道经营".into(),
        place: "华阳路100号".into(),
        party: jingzhi_domain::case::Party::citizen("张三", "11010519491231002X", "上海市长宁区华阳路1号")
            .expect("valid party"),
        officer_ids,
        reason: "巡查发现，核查属实".into(),
        decision: None,
    }
}

fn probe_fine() -> jingzhi_domain::case::Decision {
    jingzhi_domain::case::Decision::penalty(
        vec![jingzhi_domain::case::Penalty::fine(80)],
        jingzhi_domain::case::Discretion {
            level: Some(jingzhi_domain::matter::DiscretionLevel::Slight),
            reasons: "初次被查处".into(),
            ..Default::default()
        },
    )
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
    {
        use jingzhi_domain::clue::{ClueAction, roles_for};
        doc.push_str("## 线索办理环节 `ClueAction`\n\nWho may take each step (`jingzhi_domain::clue::roles_for`); the clue must also be in the\nperson's data scope, and team steps (签收, 退单, 核查, 处置) are for the team the clue is assigned to.\n\n| 环节 |");
        for &role in Role::ALL {
            doc.push_str(&format!(" {} |", role.label()));
        }
        doc.push_str("\n|---|");
        for _ in Role::ALL {
            doc.push_str("---|");
        }
        doc.push('\n');
        for &act in ClueAction::ALL {
            doc.push_str(&format!("| {} `{}` |", act.label(), act.code()));
            for &role in Role::ALL {
                doc.push_str(if roles_for(act).contains(&role) {
                    " ✔ |"
                } else {
                    " · |"
                });
            }
            doc.push('\n');
        }
        doc.push('\n');
    }
    {
        use jingzhi_domain::case::{CaseAction, roles_for};
        doc.push_str("## 办案环节 `CaseAction`\n\nWho may take each step of a penalty case (`jingzhi_domain::case::roles_for`); the case must\nalso be in the person's data scope (a street team its street's cases, the bureau the district's;\npartners and departments none), and the step must pass its gates (`docs/cases.md`).\n\n| 环节 |");
        for &role in Role::ALL {
            doc.push_str(&format!(" {} |", role.label()));
        }
        doc.push_str("\n|---|");
        for _ in Role::ALL {
            doc.push_str("---|");
        }
        doc.push('\n');
        for &act in CaseAction::ALL {
            doc.push_str(&format!("| {} `{}` |", act.label(), act.code()));
            for &role in Role::ALL {
                doc.push_str(if roles_for(act).contains(&role) {
                    " ✔ |"
                } else {
                    " · |"
                });
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

/// The clue workflow: every role × step, through `clue_step` on a clue in the state where the
/// step is possible, assigned to the demo team (so team members are in scope). Roles outside
/// `clue::roles_for` must be refused with `forbidden`; roles inside must pass the role check
/// (they may still meet a validation error of the step itself, never `forbidden`).
#[test]
fn every_role_by_clue_step_is_enforced() {
    use jingzhi_app::clues::{NewClue, Step};
    use jingzhi_domain::clue::{Channel, ClueAction, ClueStatus, Disposal, Verification, roles_for};
    let s = Scratch::sqlite();
    // Near-identical test clues must not be linked as repeats of each other here.
    common::set_dedup_config(
        &s,
        &jingzhi_domain::dedup::DedupConfig {
            threshold: 99.0,
            ..Default::default()
        },
    );
    let w = demo_world(&s);
    let d = w.actor(Role::Dispatcher);
    let lead = w.actor(Role::TeamLeader);
    let officer = w.actor(Role::Officer);
    let liaison = w.actor(Role::DepartmentLiaison);
    let street = lead.org.street_code.clone().unwrap().to_string();
    // A clue in a given status, in the demo team's street, assigned to it where that applies.
    let clue_in = |status: ClueStatus, n: usize| -> i64 {
        let mut c = NewClue::new(Channel::Patrol, format!("巡查发现占道经营{n}"), "长宁区某路");
        c.matter_code = Some("street_vending".into());
        let k = w.app.register_clue(&d, &c).unwrap().clue;
        w.app
            .clue_step(
                &d,
                k.id,
                ClueAction::Relocate,
                &Step {
                    street_code: Some(street.clone()),
                    ..Default::default()
                },
            )
            .unwrap();
        let path: &[ClueAction] = match status {
            ClueStatus::Registered => &[],
            ClueStatus::Accepted => &[ClueAction::Accept],
            ClueStatus::Dispatched => &[ClueAction::Accept, ClueAction::Dispatch],
            ClueStatus::Signed => &[ClueAction::Accept, ClueAction::Dispatch, ClueAction::Sign],
            ClueStatus::Verified => &[
                ClueAction::Accept,
                ClueAction::Dispatch,
                ClueAction::Sign,
                ClueAction::Verify,
            ],
            ClueStatus::Disposed => &[
                ClueAction::Accept,
                ClueAction::Dispatch,
                ClueAction::Sign,
                ClueAction::Verify,
                ClueAction::Dispose,
            ],
            ClueStatus::Replied => &[
                ClueAction::Accept,
                ClueAction::Dispatch,
                ClueAction::Sign,
                ClueAction::Verify,
                ClueAction::Dispose,
                ClueAction::Reply,
            ],
            ClueStatus::Linked => &[ClueAction::Link],
            _ => unreachable!(),
        };
        let primary = if status == ClueStatus::Linked {
            let mut p = NewClue::new(Channel::Patrol, format!("主线索{n}"), "长宁区某路");
            p.matter_code = Some("street_vending".into());
            Some(w.app.register_clue(&d, &p).unwrap().clue.id)
        } else {
            None
        };
        for a in path {
            let by = match a {
                ClueAction::Sign | ClueAction::Verify => &officer,
                ClueAction::Dispose => &lead,
                _ => &d,
            };
            let step = Step {
                org_id: Some(lead.org.id),
                verification: Some(Verification::Confirmed),
                disposal: Some(Disposal::FileCase),
                text: "说明".into(),
                primary_id: primary,
                ..Default::default()
            };
            w.app
                .clue_step(by, k.id, *a, &step)
                .unwrap_or_else(|e| panic!("{a:?}: {e}"));
        }
        k.id
    };
    let start_state = |a: ClueAction| match a {
        ClueAction::Accept
        | ClueAction::ReturnToSource
        | ClueAction::TransferOut
        | ClueAction::Link
        | ClueAction::Reclassify
        | ClueAction::Relocate
        | ClueAction::Note
        | ClueAction::Attach => ClueStatus::Registered,
        ClueAction::Dispatch => ClueStatus::Accepted,
        ClueAction::Reassign | ClueAction::Sign | ClueAction::SendBack => ClueStatus::Dispatched,
        ClueAction::Verify => ClueStatus::Signed,
        ClueAction::Dispose => ClueStatus::Verified,
        ClueAction::Reply => ClueStatus::Disposed,
        ClueAction::Close => ClueStatus::Replied,
        ClueAction::Unlink => ClueStatus::Linked,
        ClueAction::Register => ClueStatus::Registered,
    };
    let other_team = w
        .app
        .list_orgs(&w.actor(Role::Admin))
        .unwrap()
        .into_iter()
        .find(|o| o.code == "team-310105002")
        .unwrap()
        .id;
    let mut n = 0;
    let mut failures = Vec::new();
    for &act in ClueAction::ALL.iter().filter(|a| **a != ClueAction::Register) {
        for &role in Role::ALL {
            n += 1;
            let id = clue_in(start_state(act), n);
            let actor = w.actor(role);
            let step = Step {
                reason: "理由".into(),
                org_id: Some(if act == ClueAction::TransferOut {
                    liaison.org.id
                } else if act == ClueAction::Reassign {
                    other_team
                } else {
                    lead.org.id
                }),
                verification: Some(Verification::Confirmed),
                disposal: Some(Disposal::FileCase),
                text: "内容".into(),
                matter_code: Some("disorderly_stalls".into()),
                street_code: Some(street.clone()),
                primary_id: Some(clue_in(ClueStatus::Registered, n + 10_000)),
                ..Default::default()
            };
            let r = w.app.clue_step(&actor, id, act, &step);
            let in_role = roles_for(act).contains(&role);
            match (&r, in_role) {
                (Err(e), false)
                    if e.code == jingzhi_app::ErrorCode::Forbidden || e.code == jingzhi_app::ErrorCode::OutOfScope => {}
                (Ok(_), false) => failures.push(format!("{role:?} may not {act:?} but did")),
                (Err(e), false) => failures.push(format!("{role:?} × {act:?}: expected forbidden, got {e}")),
                (Err(e), true)
                    if e.code == jingzhi_app::ErrorCode::Forbidden
                        && e.message.contains(&format!("无权{}", act.label())) =>
                {
                    failures.push(format!("{role:?} may {act:?} but was refused: {e}"))
                }
                _ => {}
            }
        }
    }
    assert!(n > 150);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
