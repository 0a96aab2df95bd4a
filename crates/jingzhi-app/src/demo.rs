//! The demo dataset: a realistic Changning (10 streets/towns, departments, property companies,
//! ~50 compounds) and one account per role, for `jingzhi serve --demo`.

use crate::App;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::orgs::{BUREAU_CODE, DISPATCH_CODE, team_code};
use crate::secrets::temporary_password;
use crate::users::UserInput;
use jingzhi_domain::org::{OrgKind, OrgUnit};
use jingzhi_domain::role::Role;
use jingzhi_store::repo::places;

/// A demo account, printed by `serve --demo` as `demo-login <role> <username> <password>`.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub role: Role,
    pub username: String,
    pub display_name: String,
    pub password: String,
}

/// An operator actor before any org unit exists (bootstrap, CLI).
pub fn bootstrap_actor() -> Actor {
    Actor::cli(OrgUnit {
        id: 0,
        parent_id: None,
        kind: OrgKind::DistrictBureau,
        code: "cli".into(),
        name: "命令行".into(),
        street_code: None,
        department_kind: None,
        phone: None,
        address: None,
        active: true,
    })
}

struct Who {
    role: Role,
    username: &'static str,
    name: &'static str,
    cert: Option<&'static str>,
}

const PEOPLE: &[Who] = &[
    Who {
        role: Role::Admin,
        username: "admin",
        name: "系统管理员",
        cert: None,
    },
    Who {
        role: Role::BureauLeader,
        username: "leader",
        name: "王建国",
        cert: None,
    },
    Who {
        role: Role::LegalReviewer,
        username: "legal",
        name: "李敏",
        cert: None,
    },
    Who {
        role: Role::Inspector,
        username: "inspector",
        name: "赵强",
        cert: None,
    },
    Who {
        role: Role::Dispatcher,
        username: "dispatcher",
        name: "陈静",
        cert: None,
    },
    Who {
        role: Role::TeamLeader,
        username: "teamlead",
        name: "周华",
        cert: Some("31010520180017"),
    },
    Who {
        role: Role::Officer,
        username: "officer",
        name: "吴磊",
        cert: Some("31010520210042"),
    },
    Who {
        role: Role::PropertyStaff,
        username: "property",
        name: "孙丽",
        cert: None,
    },
    Who {
        role: Role::DepartmentLiaison,
        username: "liaison",
        name: "郑浩",
        cert: None,
    },
    Who {
        role: Role::GridWorker,
        username: "grid",
        name: "黄梅",
        cert: None,
    },
];

/// Loads the places file and creates one account per role (plus a second officer, because
/// evidence needs two). Returns the accounts with their one-time passwords.
pub fn seed(app: &App, places_toml: &str) -> AppResult<Vec<DemoAccount>> {
    let boot = bootstrap_actor();
    app.ensure_clock_defaults()?;
    app.ensure_intake_defaults()?;
    app.import_places(&boot, places_toml, false)?;
    app.import_boundaries(
        &boot,
        crate::intake::DEMO_BOUNDARIES,
        jingzhi_domain::geo::BoundaryLevel::Street,
        false,
    )?;
    let orgs = app.store.read(places::list_orgs)?;
    let find = |pred: &dyn Fn(&OrgUnit) -> bool| -> AppResult<i64> {
        orgs.iter()
            .find(|o| pred(o))
            .map(|o| o.id)
            .ok_or_else(|| AppError::with_message(crate::ErrorCode::Internal, "演示数据缺少所需的组织机构"))
    };
    let bureau = find(&|o| o.code == BUREAU_CODE)?;
    let dispatch = find(&|o| o.code == DISPATCH_CODE)?;
    let first_team = find(&|o| o.kind == OrgKind::StreetTeam)?;
    let team_street = orgs
        .iter()
        .find(|o| o.id == first_team)
        .and_then(|o| o.street_code.clone());
    let company = find(&|o| o.kind == OrgKind::PropertyCompany)?;
    let department = find(&|o| o.kind == OrgKind::Department && o.code.contains("housing"))
        .or_else(|_| find(&|o| o.kind == OrgKind::Department))?;
    let grid = find(&|o| o.kind == OrgKind::Grid && o.street_code == team_street)
        .or_else(|_| find(&|o| o.kind == OrgKind::Grid))?;
    let _ = team_code;

    let mut out = Vec::new();
    let mut add = |role: Role, username: &str, name: &str, cert: Option<&str>, org_id: i64| -> AppResult<()> {
        let password = temporary_password();
        app.create_user_with_password(
            &boot,
            &UserInput {
                username: username.into(),
                display_name: name.into(),
                org_id,
                phone: String::new(),
                certificate_no: cert.unwrap_or_default().into(),
                roles: vec![role],
            },
            &password,
            false,
        )?;
        out.push(DemoAccount {
            role,
            username: username.into(),
            display_name: name.into(),
            password,
        });
        Ok(())
    };
    for w in PEOPLE {
        let org = match w.role {
            Role::Admin | Role::BureauLeader | Role::LegalReviewer | Role::Inspector => bureau,
            Role::Dispatcher => dispatch,
            Role::TeamLeader | Role::Officer => first_team,
            Role::PropertyStaff => company,
            Role::DepartmentLiaison => department,
            Role::GridWorker => grid,
        };
        add(w.role, w.username, w.name, w.cert, org)?;
    }
    add(Role::Officer, "officer2", "徐涛", Some("31010520220108"), first_team)?;
    Ok(out)
}
