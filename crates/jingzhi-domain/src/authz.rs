//! 权限 (authorisation): which role may do what to which kind of thing.
//!
//! Two rules together decide every request: [`permits`] (role × resource × action, this file) and
//! the data scope ([`crate::org::Scope`]: which records of that resource the person sees). The
//! application layer checks both on every read and write; `jingzhi-app/tests` walks the whole
//! matrix through the real use cases.

use crate::role::Role;

crate::coded_enum! {
    /// 资源 — kinds of things the authorisation matrix speaks of.
    pub enum Resource {
        OrgUnit = ("org_unit", "组织机构"),
        Compound = ("compound", "小区"),
        User = ("user", "用户"),
        ApiKey = ("api_key", "接口密钥"),
        AuditLog = ("audit_log", "审计日志"),
        Calendar = ("calendar", "工作日历"),
        ClockRule = ("clock_rule", "期限规则"),
        Matter = ("matter", "执法事项"),
        Boundary = ("boundary", "辖区边界"),
        Clue = ("clue", "线索"),
        /// 案件: which steps each role takes is `case::roles_for`.
        Case = ("case", "案件"),
        /// 证据 (and 笔录) of a case.
        Evidence = ("evidence", "证据"),
        /// 办案设置: thresholds of the gates and what documents print about the bureau.
        CaseSetting = ("case_setting", "办案设置"),
    }
}

crate::coded_enum! {
    /// 操作
    pub enum Action {
        View = ("view", "查看"),
        Create = ("create", "新建"),
        Update = ("update", "修改"),
        Disable = ("disable", "停用"),
        Import = ("import", "导入"),
        Export = ("export", "导出"),
        Verify = ("verify", "校验"),
    }
}

use Action::*;
use Resource::*;
use Role::*;

/// The actions that exist on each resource (the matrix's columns).
pub fn actions_on(resource: Resource) -> &'static [Action] {
    match resource {
        OrgUnit => &[View, Create, Update, Import, Export],
        Compound => &[View, Create, Update, Import, Export],
        User => &[View, Create, Update, Disable, Export],
        ApiKey => &[View, Create, Disable],
        AuditLog => &[View, Verify, Export],
        Calendar => &[View, Update, Import],
        ClockRule => &[View, Update],
        Matter => &[View, Update],
        Boundary => &[View, Import],
        Clue => &[View, Create, Import, Export],
        Case => &[View, Create, Update],
        Evidence => &[View, Create],
        CaseSetting => &[View, Update],
    }
}

const ALL_ROLES: &[Role] = Role::ALL;
const STAFF: &[Role] = &[
    BureauLeader,
    LegalReviewer,
    Inspector,
    Dispatcher,
    TeamLeader,
    Officer,
    Admin,
];
const EVERYONE_BUT_PARTNERS: &[Role] = &[
    BureauLeader,
    LegalReviewer,
    Inspector,
    Dispatcher,
    TeamLeader,
    Officer,
    Admin,
    DepartmentLiaison,
];

/// Who sees case files: the handling team, leaders, legal review and inspectors.
const CASE_STAFF: &[Role] = &[BureauLeader, LegalReviewer, Inspector, TeamLeader, Officer];

/// Role × resource × action. Data scope is applied on top (see module docs).
pub fn permits(role: Role, resource: Resource, action: Action) -> bool {
    if !actions_on(resource).contains(&action) {
        return false;
    }
    let who: &[Role] = match (resource, action) {
        (OrgUnit, View) => ALL_ROLES,
        (OrgUnit, Export) => STAFF,
        (OrgUnit, _) => &[Admin],
        (Compound, View) => ALL_ROLES,
        (Compound, Export) => EVERYONE_BUT_PARTNERS,
        (Compound, _) => &[Admin],
        (User, View | Export) => &[Admin, BureauLeader, Inspector, TeamLeader],
        (User, _) => &[Admin],
        (ApiKey, _) => &[Admin],
        (AuditLog, View | Export) => &[Admin, Inspector, BureauLeader],
        (AuditLog, Verify) => &[Admin, Inspector],
        (AuditLog, _) => &[],
        (Calendar, View) => ALL_ROLES,
        (Calendar, _) => &[Admin],
        (ClockRule, View) => ALL_ROLES,
        (ClockRule, _) => &[Admin],
        (Matter, View) => ALL_ROLES,
        (Matter, _) => &[Admin],
        (Boundary, View) => STAFF,
        (Boundary, _) => &[Admin],
        // Which clues, and which workflow steps, is decided by the scope and by clue::roles_for.
        (Clue, View) => ALL_ROLES,
        (Clue, Create) => crate::clue::roles_for(crate::clue::ClueAction::Register),
        (Clue, Import) => &[Dispatcher, Admin],
        (Clue, Export) => EVERYONE_BUT_PARTNERS,
        (Clue, _) => &[],
        // Cases are enforcement files: partners, departments, dispatchers and administrators see
        // none. Create = open a case (立案 by a leader, 当场处罚 by an officer); Update = take a
        // step, each step further limited by case::roles_for (审批, 法制审核, 决定…).
        (Case, View) => CASE_STAFF,
        (Case, Create) => &[Officer, TeamLeader, BureauLeader],
        (Case, Update) => &[Officer, TeamLeader, BureauLeader, LegalReviewer],
        (Case, _) => &[],
        (Evidence, View) => CASE_STAFF,
        (Evidence, Create) => &[Officer, TeamLeader],
        (Evidence, _) => &[],
        (CaseSetting, View) => &[BureauLeader, LegalReviewer, Inspector, TeamLeader, Officer, Admin],
        (CaseSetting, _) => &[Admin],
    };
    who.contains(&role)
}

/// Whether the roles see the identity of a citizen who is a party to a case in full (ID number,
/// address, phone): those who handle, approve, review and decide. Others who may view the case
/// (督察 inspectors checking the procedure) see them masked, as the public notice does.
pub fn sees_party_identity(roles: &[Role]) -> bool {
    roles
        .iter()
        .any(|r| matches!(r, Officer | TeamLeader | LegalReviewer | BureauLeader))
}

/// True when any of the roles permits the action.
pub fn any_permits(roles: &[Role], resource: Resource, action: Action) -> bool {
    roles.iter().any(|r| permits(*r, resource, action))
}

/// Every (role, resource, action) cell of the matrix, in a stable order.
pub fn matrix() -> Vec<(Role, Resource, Action, bool)> {
    let mut out = Vec::new();
    for &role in Role::ALL {
        for &res in Resource::ALL {
            for &act in actions_on(res) {
                out.push((role, res, act, permits(role, res, act)));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admin_administers_users_and_orgs() {
        for &r in Role::ALL {
            assert_eq!(permits(r, User, Create), r == Admin, "{r:?}");
            assert_eq!(permits(r, OrgUnit, Update), r == Admin, "{r:?}");
        }
    }

    #[test]
    fn actions_that_do_not_exist_are_never_permitted() {
        assert!(!permits(Admin, AuditLog, Update));
        assert!(!permits(Admin, ApiKey, Import));
    }

    #[test]
    fn the_audit_log_is_append_only_for_everyone() {
        for &r in Role::ALL {
            for a in [Create, Update, Disable, Import] {
                assert!(!permits(r, AuditLog, a));
            }
        }
    }
}
