//! 角色 (roles). A user holds one or more roles; permissions are their union (see `authz`).

crate::coded_enum! {
    /// 角色 — what a person does in Jingzhi (`product-map.md` §1).
    pub enum Role {
        /// 区局领导: sees the whole district; approves major decisions.
        BureauLeader = ("bureau_leader", "区局领导"),
        /// 法制审核员 (区局法制科): legal review of major decisions.
        LegalReviewer = ("legal_reviewer", "法制审核员"),
        /// 督察: supervision of overdue and irregular enforcement.
        Inspector = ("inspector", "督察"),
        /// 派单员: receives, reviews and dispatches clues.
        Dispatcher = ("dispatcher", "派单员"),
        /// 队长/中队长: approves filing, extensions and closing; assigns officers.
        TeamLeader = ("team_leader", "队长"),
        /// 执法队员: verifies, collects evidence, handles cases; holds an enforcement certificate.
        Officer = ("officer", "执法队员"),
        /// 物业人员: reports violations in the compounds its company manages.
        PropertyStaff = ("property_staff", "物业人员"),
        /// 部门联络员: receives transfers and suggestion letters for a management department.
        DepartmentLiaison = ("department_liaison", "部门联络员"),
        /// 网格员: reports what it sees in its grid.
        GridWorker = ("grid_worker", "网格员"),
        /// 系统管理员: organisations, users, catalogues, calendars, integrations.
        Admin = ("admin", "系统管理员"),
    }
}

impl Role {
    /// Roles that must carry an enforcement certificate number (执法证号).
    pub fn needs_certificate(self) -> bool {
        matches!(self, Role::Officer | Role::TeamLeader)
    }

    /// Roles of people inside the enforcement system (as opposed to partners).
    pub fn is_enforcement_staff(self) -> bool {
        !matches!(self, Role::PropertyStaff | Role::DepartmentLiaison | Role::GridWorker)
    }
}
