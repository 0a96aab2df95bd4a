//! The actor: who is acting, for which org unit, with which roles and which data scope.

use crate::error::{AppError, AppResult, ErrorCode};
use jingzhi_domain::authz::{Action, Resource, any_permits};
use jingzhi_domain::org::{Footprint, OrgKind, OrgUnit, Scope};
use jingzhi_domain::role::Role;

/// How the actor authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A browser session; carries the session's CSRF token.
    Session { csrf_token: String, token_hash: String },
    /// An API key (machine client).
    ApiKey { id: i64 },
    /// The operator's command line (`jingzhi user add` …).
    Cli,
}

#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<i64>,
    /// Login name, `api-key:PREFIX` or `cli`.
    pub name: String,
    pub display_name: String,
    pub org: OrgUnit,
    pub roles: Vec<Role>,
    pub scope: Scope,
    pub must_change_password: bool,
    pub via: Via,
}

impl Actor {
    pub fn has_role(&self, r: Role) -> bool {
        self.roles.contains(&r)
    }

    pub fn can(&self, resource: Resource, action: Action) -> bool {
        any_permits(&self.roles, resource, action)
    }

    /// The role check every use case starts with.
    pub fn require(&self, resource: Resource, action: Action) -> AppResult<()> {
        if self.must_change_password && matches!(self.via, Via::Session { .. }) {
            return Err(AppError::new(ErrorCode::PasswordChangeRequired));
        }
        if self.can(resource, action) {
            Ok(())
        } else {
            Err(AppError::with_message(
                ErrorCode::Forbidden,
                format!("无权{}{}", action.label(), resource.label()),
            ))
        }
    }

    /// Platform data (org units, compounds, API keys) is maintained by district-wide staff: a
    /// street team's administrator manages its own people, not the district's structure.
    pub fn require_district(&self, what: &str) -> AppResult<()> {
        if self.scope == jingzhi_domain::org::Scope::District {
            Ok(())
        } else {
            Err(AppError::with_message(
                ErrorCode::OutOfScope,
                format!("只有区级管理员可以{what}"),
            ))
        }
    }

    /// The scope check for a data record.
    pub fn require_sees(&self, f: &Footprint) -> AppResult<()> {
        if self.scope.sees(f) {
            Ok(())
        } else {
            Err(AppError::new(ErrorCode::OutOfScope))
        }
    }

    /// The actor of the operator's command line: district-wide administrator.
    pub fn cli(org: OrgUnit) -> Actor {
        Actor {
            user_id: None,
            name: "cli".into(),
            display_name: "命令行管理员".into(),
            scope: Scope::District,
            org,
            roles: vec![Role::Admin],
            must_change_password: false,
            via: Via::Cli,
        }
    }

    pub fn session_csrf(&self) -> Option<&str> {
        match &self.via {
            Via::Session { csrf_token, .. } => Some(csrf_token),
            _ => None,
        }
    }

    /// True for enforcement staff (as opposed to partner organisations).
    pub fn is_partner(&self) -> bool {
        matches!(
            self.org.kind,
            OrgKind::PropertyCompany | OrgKind::Department | OrgKind::Community | OrgKind::Grid
        )
    }
}
