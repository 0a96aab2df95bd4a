//! User administration.

use crate::App;
use crate::actor::Actor;
use crate::audit::{NONE, record};
use crate::error::{AppError, AppResult, Check, ErrorCode};
use crate::secrets::{hash_password, temporary_password};
use jingzhi_domain::authz::{Action, Resource};
use jingzhi_domain::org::{OrgUnit, Scope};
use jingzhi_domain::password::check_new_password;
use jingzhi_domain::role::Role;
use jingzhi_domain::user::{User, check_roles_and_certificate, check_username};
use jingzhi_store::repo::{places, sessions, users};
use serde::Serialize;

/// What an admin fills in for a user.
#[derive(Debug, Clone, Default)]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    pub org_id: i64,
    pub phone: String,
    pub certificate_no: String,
    pub roles: Vec<Role>,
}

/// A created user with the one-time temporary password.
#[derive(Debug, Clone)]
pub struct CreatedUser {
    pub id: i64,
    pub temporary_password: String,
}

#[derive(Serialize)]
struct UserSnapshot<'a> {
    username: &'a str,
    display_name: &'a str,
    org_id: i64,
    phone: Option<&'a str>,
    certificate_no: Option<&'a str>,
    roles: Vec<&'static str>,
    active: bool,
}

fn snapshot(u: &User) -> UserSnapshot<'_> {
    UserSnapshot {
        username: &u.username,
        display_name: &u.display_name,
        org_id: u.org_id,
        phone: u.phone.as_deref(),
        certificate_no: u.certificate_no.as_deref(),
        roles: u.roles.iter().map(|r| r.code()).collect(),
        active: u.active,
    }
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn check_input(input: &UserInput, check_name: bool) -> AppResult<()> {
    let mut ck = Check::new();
    if check_name {
        ck.result("username", check_username(input.username.trim()));
    }
    ck.required("display_name", &input.display_name, "姓名");
    if input.display_name.chars().count() > 40 {
        ck.fail("display_name", "姓名不能超过40个字符");
    }
    if input.org_id <= 0 {
        ck.fail("org_id", "请选择所属单位");
    }
    let phone = input.phone.trim();
    let phone_ok = (7..=20).contains(&phone.len()) && phone.chars().all(|c| c.is_ascii_digit() || c == '-');
    if !phone.is_empty() && !phone_ok {
        ck.fail("phone", "电话号码格式不正确");
    }
    if let Err(m) = check_roles_and_certificate(&input.roles, opt(&input.certificate_no).as_deref()) {
        let field = if m.contains("执法证") {
            "certificate_no"
        } else {
            "roles"
        };
        ck.fail(field, m);
    }
    ck.finish()
}

impl App {
    /// Users the actor may see (role check + scope on their org units).
    pub fn list_users(&self, actor: &Actor) -> AppResult<Vec<(User, OrgUnit)>> {
        actor.require(Resource::User, Action::View)?;
        self.store.read(|c| {
            let orgs = places::list_orgs(c)?;
            let visible: Vec<i64> = orgs
                .iter()
                .filter(|o| actor.scope.sees_users_of(&o.as_ref()))
                .map(|o| o.id)
                .collect();
            let list = users::list(
                c,
                if actor.scope == Scope::District {
                    None
                } else {
                    Some(&visible)
                },
            )?;
            Ok(list
                .into_iter()
                .filter_map(|u| orgs.iter().find(|o| o.id == u.org_id).cloned().map(|o| (u, o)))
                .collect())
        })
    }

    pub fn get_user(&self, actor: &Actor, id: i64) -> AppResult<(User, OrgUnit)> {
        actor.require(Resource::User, Action::View)?;
        let (u, o) = self.store.read(|c| {
            let u = users::get(c, id)?;
            let o = places::get_org(c, u.org_id)?;
            Ok::<_, AppError>((u, o))
        })?;
        if !actor.scope.sees_users_of(&o.as_ref()) {
            return Err(AppError::new(ErrorCode::OutOfScope));
        }
        Ok((u, o))
    }

    /// Creates a user with a temporary password that must be changed at first sign-in.
    pub fn create_user(&self, actor: &Actor, input: &UserInput) -> AppResult<CreatedUser> {
        actor.require(Resource::User, Action::Create)?;
        check_input(input, true)?;
        let password = temporary_password();
        self.create_user_with_password(actor, input, &password, true)
            .map(|id| CreatedUser {
                id,
                temporary_password: password,
            })
    }

    /// Creates a user with a chosen password (CLI, demo). `must_change` forces a change at first
    /// sign-in.
    pub fn create_user_with_password(
        &self,
        actor: &Actor,
        input: &UserInput,
        password: &str,
        must_change: bool,
    ) -> AppResult<i64> {
        actor.require(Resource::User, Action::Create)?;
        check_input(input, true)?;
        let username = input.username.trim().to_lowercase();
        check_new_password(&username, password).map_err(|m| AppError::with_message(ErrorCode::WeakPassword, m))?;
        let hash = hash_password(password, self.config.argon2_memory_kib, self.config.argon2_passes)?;
        let now = self.now();
        self.store.write(|c| {
            let org = places::get_org(c, input.org_id).map_err(|_| AppError::field("org_id", "所属单位不存在"))?;
            require_manages(actor, &org)?;
            if users::find_by_username(c, &username)?.is_some() {
                return Err(AppError::field("username", "用户名已被使用"));
            }
            let id = users::insert(
                c,
                &users::NewUser {
                    username: username.clone(),
                    display_name: input.display_name.trim().to_string(),
                    org_id: input.org_id,
                    phone: opt(&input.phone),
                    certificate_no: opt(&input.certificate_no),
                    roles: input.roles.clone(),
                    password_hash: hash,
                    must_change_password: must_change,
                },
                now,
            )
            .map_err(|e| match e {
                jingzhi_store::StoreError::Conflict(_) => AppError::field("certificate_no", "执法证号已被其他用户使用"),
                e => e.into(),
            })?;
            let u = users::get(c, id)?;
            record(c, actor, now, "user.create", "user", id, NONE, Some(&snapshot(&u)))?;
            Ok(id)
        })
    }

    pub fn update_user(&self, actor: &Actor, id: i64, input: &UserInput) -> AppResult<()> {
        actor.require(Resource::User, Action::Update)?;
        check_input(input, false)?;
        let now = self.now();
        self.store.write(|c| {
            let before = users::get(c, id)?;
            require_manages(actor, &places::get_org(c, before.org_id)?)?;
            let org = places::get_org(c, input.org_id).map_err(|_| AppError::field("org_id", "所属单位不存在"))?;
            require_manages(actor, &org)?;
            users::update_profile(
                c,
                id,
                &users::UserProfile {
                    display_name: input.display_name.trim().to_string(),
                    org_id: input.org_id,
                    phone: opt(&input.phone),
                    certificate_no: opt(&input.certificate_no),
                    roles: input.roles.clone(),
                },
                now,
            )
            .map_err(|e| match e {
                jingzhi_store::StoreError::Conflict(_) => AppError::field("certificate_no", "执法证号已被其他用户使用"),
                e => e.into(),
            })?;
            let after = users::get(c, id)?;
            record(
                c,
                actor,
                now,
                "user.update",
                "user",
                id,
                Some(&snapshot(&before)),
                Some(&snapshot(&after)),
            )?;
            Ok::<_, AppError>(())
        })?;
        self.forget_sessions();
        Ok(())
    }

    /// Disables or re-enables an account. Disabling signs the user out everywhere.
    pub fn set_user_active(&self, actor: &Actor, id: i64, active: bool) -> AppResult<()> {
        actor.require(Resource::User, Action::Disable)?;
        if actor.user_id == Some(id) && !active {
            return Err(AppError::with_message(ErrorCode::Forbidden, "不能停用自己的账户"));
        }
        let now = self.now();
        self.store.write(|c| {
            let before = users::get(c, id)?;
            require_manages(actor, &places::get_org(c, before.org_id)?)?;
            users::set_active(c, id, active, now)?;
            if !active {
                sessions::delete_for_user(c, id)?;
            }
            let after = users::get(c, id)?;
            let action = if active { "user.enable" } else { "user.disable" };
            record(
                c,
                actor,
                now,
                action,
                "user",
                id,
                Some(&snapshot(&before)),
                Some(&snapshot(&after)),
            )?;
            Ok::<_, AppError>(())
        })?;
        self.forget_sessions();
        Ok(())
    }

    /// Resets a password to a new temporary one (shown once), forcing a change at next sign-in.
    pub fn reset_password(&self, actor: &Actor, id: i64) -> AppResult<String> {
        let p = temporary_password();
        self.set_password(actor, id, &p, true)?;
        Ok(p)
    }

    /// Sets a user's password (admin or CLI). Signs the user out everywhere.
    pub fn set_password(&self, actor: &Actor, id: i64, password: &str, must_change: bool) -> AppResult<()> {
        actor.require(Resource::User, Action::Update)?;
        let user = self.store.read(|c| {
            let u = users::get(c, id)?;
            require_manages(actor, &places::get_org(c, u.org_id)?)?;
            Ok::<_, AppError>(u)
        })?;
        check_new_password(&user.username, password).map_err(|m| AppError::with_message(ErrorCode::WeakPassword, m))?;
        let hash = hash_password(password, self.config.argon2_memory_kib, self.config.argon2_passes)?;
        let now = self.now();
        self.store.write(|c| {
            users::set_password(c, id, &hash, must_change, now)?;
            sessions::delete_for_user(c, id)?;
            record(
                c,
                actor,
                now,
                "user.password_reset",
                "user",
                id,
                NONE,
                Some(&serde_json::json!({"must_change_password": must_change})),
            )?;
            Ok::<_, AppError>(())
        })?;
        self.forget_sessions();
        Ok(())
    }

    pub fn find_user_by_username(&self, actor: &Actor, username: &str) -> AppResult<User> {
        actor.require(Resource::User, Action::View)?;
        self.store
            .read(|c| users::find_by_username(c, &username.trim().to_lowercase()))?
            .ok_or_else(|| AppError::with_message(ErrorCode::NotFound, format!("用户不存在：{username}")))
    }
}

impl App {
    /// Users for an Excel export.
    pub fn export_users(&self, actor: &Actor) -> AppResult<Vec<(User, OrgUnit)>> {
        actor.require(Resource::User, Action::Export)?;
        self.list_users(actor)
    }
}

/// A user administrator manages the accounts of the org units in their scope only (a street
/// team's administrator: that street's units).
fn require_manages(actor: &Actor, org: &jingzhi_domain::org::OrgUnit) -> AppResult<()> {
    if actor.scope.sees_users_of(&org.as_ref()) {
        Ok(())
    } else {
        Err(AppError::with_message(
            ErrorCode::OutOfScope,
            format!("“{}”不在您的管理范围内", org.name),
        ))
    }
}
