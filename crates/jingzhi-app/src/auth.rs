//! Sign-in, sessions, password changes, API keys.

use crate::App;
use crate::actor::{Actor, Via};
use crate::audit::{NONE, record};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::secrets::{hash_password, random_hex, same, sha256_hex, verify_password};
use jiff::{SignedDuration, Timestamp};
use jingzhi_domain::authz::{Action, Resource};
use jingzhi_domain::org::Scope;
use jingzhi_domain::password::check_new_password;
use jingzhi_domain::role::Role;
use jingzhi_domain::time::zh_datetime;
use jingzhi_store::repo::{api_keys, login, places, sessions, users};
use serde::Serialize;

/// Touch a session at most this often (a write per request would serialise every page view).
const TOUCH_EVERY: SignedDuration = SignedDuration::from_mins(5);

/// A new browser session: the cookie token is shown once and stored only hashed.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: Timestamp,
    pub must_change_password: bool,
}

/// A new API key: the secret is shown once.
#[derive(Debug, Clone, Serialize)]
pub struct NewApiKey {
    pub id: i64,
    pub prefix: String,
    /// The full key to give to the client: `jzk_PREFIX_SECRET`.
    pub key: String,
}

#[derive(Serialize)]
struct LoginEvent<'a> {
    ip: &'a str,
    user_agent: Option<&'a str>,
}

impl App {
    fn hash(&self, password: &str) -> AppResult<String> {
        hash_password(password, self.config.argon2_memory_kib, self.config.argon2_passes)
    }

    /// Signs in with a username and password. Rate-limited per address, with lockout per account.
    pub fn login(&self, username: &str, password: &str, ip: &str, user_agent: Option<&str>) -> AppResult<NewSession> {
        let now = self.now();
        let window = SignedDuration::from_mins(self.config.lockout_minutes);
        let since = now - window;
        let username = username.trim().to_lowercase();
        let ip_failures = self.store.read(|c| login::failures_from_ip_since(c, ip, since))?;
        if ip_failures >= self.config.ip_max_failures {
            return Err(AppError::new(ErrorCode::RateLimited));
        }
        let user = self.store.read(|c| users::find_by_username(c, &username))?;
        let Some(user) = user else {
            // Same work as a real check, so that timing does not reveal which names exist.
            let _ = verify_password(password, DUMMY_HASH);
            self.store.write(|c| login::record(c, &username, ip, now, false))?;
            return Err(AppError::new(ErrorCode::BadCredentials));
        };
        if let Some(until) = user.locked_until.filter(|u| *u > now) {
            self.store.write(|c| login::record(c, &username, ip, now, false))?;
            return Err(AppError::with_message(
                ErrorCode::AccountLocked,
                format!("登录失败次数过多，账户已被临时锁定，请于 {} 后重试", zh_datetime(until)),
            ));
        }
        let phc = self.store.read(|c| users::password_hash(c, user.id))?;
        if !verify_password(password, &phc) {
            let failures = user.failed_logins + 1;
            let lock = (failures >= self.config.login_max_failures).then(|| now + window);
            self.store.write(|c| {
                login::record(c, &username, ip, now, false)?;
                users::record_failure(c, user.id, failures, lock)?;
                if let Some(until) = lock {
                    let actor = system_actor_for(c, user.org_id, &user.username)?;
                    record(
                        c,
                        &actor,
                        now,
                        "auth.lockout",
                        "user",
                        user.id,
                        NONE,
                        Some(&serde_json::json!({
                            "failed_logins": failures, "locked_until": jingzhi_domain::time::format_ts(until), "ip": ip,
                        })),
                    )?;
                }
                Ok::<_, AppError>(())
            })?;
            return Err(match lock {
                Some(until) => AppError::with_message(
                    ErrorCode::AccountLocked,
                    format!("登录失败次数过多，账户已被临时锁定，请于 {} 后重试", zh_datetime(until)),
                ),
                None => AppError::new(ErrorCode::BadCredentials),
            });
        }
        if !user.active {
            self.store.write(|c| login::record(c, &username, ip, now, false))?;
            return Err(AppError::new(ErrorCode::AccountDisabled));
        }
        let token = random_hex(32);
        let csrf_token = random_hex(32);
        let expires_at = now + SignedDuration::from_mins(self.config.session_idle_minutes);
        let row = sessions::SessionRow {
            token_hash: sha256_hex(&token),
            user_id: user.id,
            csrf_token: csrf_token.clone(),
            created_at: now,
            last_seen_at: now,
            expires_at,
        };
        self.store.write(|c| {
            sessions::insert(c, &row, Some(ip), user_agent)?;
            login::record(c, &username, ip, now, true)?;
            users::record_success(c, user.id, now)?;
            let actor = system_actor_for(c, user.org_id, &user.username)?;
            let actor = Actor {
                user_id: Some(user.id),
                ..actor
            };
            record(
                c,
                &actor,
                now,
                "auth.login",
                "user",
                user.id,
                NONE,
                Some(&LoginEvent { ip, user_agent }),
            )?;
            Ok::<_, AppError>(())
        })?;
        Ok(NewSession {
            token,
            csrf_token,
            expires_at,
            must_change_password: user.must_change_password,
        })
    }

    /// The actor behind a session cookie, or None when the session is unknown, expired or its user
    /// disabled.
    pub fn session_actor(&self, token: &str) -> AppResult<Option<Actor>> {
        let now = self.now();
        let hash = sha256_hex(token);
        if let Some(actor) = self.kept_session(&hash, now) {
            return Ok(Some(actor));
        }
        let generation = self.sessions.generation();
        let found = self.store.read(|c| {
            let Some(s) = sessions::get_live(c, &hash, now)? else {
                return Ok::<_, AppError>(None);
            };
            let user = users::get(c, s.user_id)?;
            let org = places::get_org(c, user.org_id)?;
            Ok(Some((s, user, org)))
        })?;
        let Some((s, user, org)) = found else { return Ok(None) };
        if !user.active {
            return Ok(None);
        }
        let (mut last_seen_at, mut expires_at) = (s.last_seen_at, s.expires_at);
        if now.duration_since(s.last_seen_at) >= TOUCH_EVERY {
            expires_at = now + SignedDuration::from_mins(self.config.session_idle_minutes);
            self.store.write(|c| sessions::touch(c, &hash, now, expires_at))?;
            last_seen_at = now;
        }
        let actor = Actor {
            user_id: Some(user.id),
            name: user.username.clone(),
            display_name: user.display_name.clone(),
            scope: Scope::of(&org.as_ref()),
            org,
            roles: user.roles.clone(),
            must_change_password: user.must_change_password,
            via: Via::Session {
                csrf_token: s.csrf_token,
                token_hash: hash.clone(),
            },
        };
        self.sessions.put(
            generation,
            hash,
            CachedSession {
                actor: actor.clone(),
                last_seen_at,
                expires_at,
            },
        );
        Ok(Some(actor))
    }

    /// The actor behind a session cookie when that is known without the database (read within
    /// the last few seconds, [`SessionCache`], and not due to be touched); `None`: ask
    /// [`App::session_actor`]. Lets the web layer skip a blocking-thread hop.
    pub fn session_actor_cached(&self, token: &str) -> Option<Actor> {
        self.kept_session(&sha256_hex(token), self.now())
    }

    /// Forgets every cached session, after a commit that signs people out or changes who they are
    /// (sign-out, password, account enabled or disabled, profile and roles, org units).
    pub(crate) fn forget_sessions(&self) {
        self.sessions.clear();
    }

    /// Ends the actor's session.
    pub fn logout(&self, actor: &Actor) -> AppResult<()> {
        let now = self.now();
        if let Via::Session { token_hash, .. } = &actor.via {
            self.store.write(|c| {
                sessions::delete(c, token_hash)?;
                record(
                    c,
                    actor,
                    now,
                    "auth.logout",
                    "user",
                    actor.user_id.unwrap_or_default(),
                    NONE,
                    NONE,
                )?;
                Ok::<_, AppError>(())
            })?;
            self.forget_sessions();
        }
        Ok(())
    }

    /// Changes one's own password (also the forced change after an admin created the account).
    /// Signs out every other session of the user.
    pub fn change_own_password(&self, actor: &Actor, current: &str, new: &str, confirm: &str) -> AppResult<()> {
        let uid = actor.user_id.ok_or_else(|| AppError::new(ErrorCode::Forbidden))?;
        let phc = self.store.read(|c| users::password_hash(c, uid))?;
        if !verify_password(current, &phc) {
            return Err(AppError::fields(vec![crate::FieldError {
                field: "current".into(),
                message: ErrorCode::WrongPassword.message().into(),
            }]));
        }
        if new != confirm {
            return Err(AppError::field("confirm", "两次输入的新密码不一致"));
        }
        if let Err(m) = check_new_password(&actor.name, new) {
            return Err(AppError {
                code: ErrorCode::WeakPassword,
                message: m.clone(),
                fields: vec![crate::FieldError {
                    field: "new".into(),
                    message: m,
                }],
            });
        }
        if same(current, new) {
            return Err(AppError::field("new", "新密码不能与当前密码相同"));
        }
        let hash = self.hash(new)?;
        let now = self.now();
        self.store.write(|c| {
            users::set_password(c, uid, &hash, false, now)?;
            // Sign out everywhere else; keep this session.
            let keep = match &actor.via {
                Via::Session { token_hash, .. } => Some(token_hash.clone()),
                _ => None,
            };
            sessions::delete_for_user_except(c, uid, keep.as_deref())?;
            record(c, actor, now, "user.password_change", "user", uid, NONE, NONE)?;
            Ok::<_, AppError>(())
        })?;
        self.forget_sessions();
        Ok(())
    }

    /// Creates an API key for a machine client, scoped to an org unit with the given roles.
    pub fn create_api_key(
        &self,
        actor: &Actor,
        name: &str,
        org_code: &str,
        roles: &[Role],
        expires_at: Option<Timestamp>,
    ) -> AppResult<NewApiKey> {
        actor.require(Resource::ApiKey, Action::Create)?;
        actor.require_district("新建接口密钥")?;
        let name = name.trim();
        if name.is_empty() {
            return Err(AppError::field("name", "请填写密钥名称（用途）"));
        }
        if roles.is_empty() {
            return Err(AppError::field("roles", "至少需要选择一个角色"));
        }
        if roles.contains(&Role::Admin) {
            return Err(AppError::field("roles", "接口密钥不能具有系统管理员角色"));
        }
        let now = self.now();
        let prefix = format!("jzk_{}", &random_hex(4));
        let secret = random_hex(24);
        let key = format!("{prefix}_{secret}");
        let id = self.store.write(|c| {
            let org = places::find_org_by_code(c, org_code)?
                .ok_or_else(|| AppError::field("org", format!("组织机构代码不存在：{org_code}")))?;
            let id = api_keys::insert(
                c,
                &prefix,
                &sha256_hex(&secret),
                name,
                org.id,
                roles,
                actor.user_id,
                expires_at,
                now,
            )?;
            let codes: Vec<&str> = roles.iter().map(|r| r.code()).collect();
            record(
                c,
                actor,
                now,
                "api_key.create",
                "api_key",
                id,
                NONE,
                Some(&serde_json::json!({
                    "prefix": prefix, "name": name, "org": org.code, "roles": codes,
                })),
            )?;
            Ok::<_, AppError>(id)
        })?;
        Ok(NewApiKey { id, prefix, key })
    }

    pub fn list_api_keys(&self, actor: &Actor) -> AppResult<Vec<api_keys::ApiKeyRow>> {
        actor.require(Resource::ApiKey, Action::View)?;
        Ok(self.store.read(api_keys::list)?)
    }

    pub fn disable_api_key(&self, actor: &Actor, id: i64) -> AppResult<()> {
        actor.require(Resource::ApiKey, Action::Disable)?;
        actor.require_district("停用接口密钥")?;
        let now = self.now();
        self.store.write(|c| {
            let k = api_keys::get(c, id)?;
            api_keys::set_active(c, id, false)?;
            record(
                c,
                actor,
                now,
                "api_key.disable",
                "api_key",
                id,
                Some(&serde_json::json!({"active": k.active})),
                Some(&serde_json::json!({"active": false})),
            )?;
            Ok::<_, AppError>(())
        })?;
        // After the commit: a request between a clearing inside the transaction and the commit
        // would have kept the key, still active, for another few seconds.
        self.api_keys.clear();
        Ok(())
    }

    /// The actor behind a bearer API key.
    pub fn api_key_actor(&self, key: &str) -> AppResult<Actor> {
        let bad = || AppError::new(ErrorCode::BadApiKey);
        let (prefix, secret) = split_api_key(key).ok_or_else(bad)?;
        let now = self.now();
        let generation = self.api_keys.generation();
        let (k, org) = match self.api_keys.get(&prefix) {
            Some(found) => found,
            None => {
                let found = self.store.read(|c| {
                    let Some(k) = api_keys::find_by_prefix(c, &prefix)? else {
                        return Ok::<_, AppError>(None);
                    };
                    let org = places::get_org(c, k.org_id)?;
                    Ok(Some((k, org)))
                })?;
                let (k, org) = found.ok_or_else(bad)?;
                self.api_keys.put(generation, prefix.clone(), (k.clone(), org.clone()));
                (k, org)
            }
        };
        let actor = api_key_actor_of(&k, org, &prefix, secret, now).ok_or_else(bad)?;
        if mark_due(&k, now) {
            self.store
                .write(|c| api_keys::mark_used(c, k.id, now, now - SignedDuration::from_mins(1)))?;
            self.api_keys.update(&prefix, |(k, _)| k.last_used_at = Some(now));
        }
        Ok(actor)
    }

    /// The actor behind a bearer API key when that is known without the database (the key was
    /// read within the last few seconds, [`ApiKeyCache`], and its last use need not be recorded
    /// now); `None`: ask [`App::api_key_actor`]. Lets the web layer skip a blocking-thread hop.
    pub fn api_key_actor_cached(&self, key: &str) -> Option<AppResult<Actor>> {
        let (prefix, secret) = split_api_key(key)?;
        let now = self.now();
        let (k, org) = self.api_keys.get(&prefix)?;
        if mark_due(&k, now) {
            return None;
        }
        Some(api_key_actor_of(&k, org, &prefix, secret, now).ok_or_else(|| AppError::new(ErrorCode::BadApiKey)))
    }

    /// Housekeeping: forgets expired sessions and old sign-in attempts.
    pub fn purge_expired(&self) -> AppResult<(u64, u64)> {
        let now = self.now();
        self.store.write(|c| {
            let s = sessions::delete_expired(c, now)?;
            let l = login::prune(c, now - SignedDuration::from_hours(24 * 30))?;
            Ok::<_, AppError>((s, l))
        })
    }
}

/// An actor standing for a user before they are signed in (for audit records of sign-in events).
fn system_actor_for(c: &mut dyn jingzhi_store::Conn, org_id: i64, username: &str) -> AppResult<Actor> {
    let org = places::get_org(c, org_id)?;
    Ok(Actor {
        user_id: None,
        name: username.to_string(),
        display_name: username.to_string(),
        scope: Scope::of(&org.as_ref()),
        org,
        roles: Vec::new(),
        must_change_password: false,
        via: Via::Cli,
    })
}

/// A valid Argon2id hash of a random string, verified against when the username does not exist.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0PxcFdCErbSaDQwIT+9fJ/+yx9V2c+lt9Wm1kbFMuHY";

/// `jzk_PREFIX_SECRET` → (`jzk_PREFIX`, `SECRET`).
fn split_api_key(key: &str) -> Option<(String, &str)> {
    let rest = key.strip_prefix("jzk_")?;
    let (p, secret) = rest.split_once('_')?;
    Some((format!("jzk_{p}"), secret))
}

/// The actor of a key row if the secret is its secret and the key is active and not expired.
fn api_key_actor_of(
    k: &api_keys::ApiKeyRow,
    org: jingzhi_domain::org::OrgUnit,
    prefix: &str,
    secret: &str,
    now: Timestamp,
) -> Option<Actor> {
    if !k.active || k.expires_at.is_some_and(|e| e <= now) || !same(&sha256_hex(secret), &k.key_hash) {
        return None;
    }
    Some(Actor {
        user_id: None,
        name: format!("api-key:{prefix}"),
        display_name: k.name.clone(),
        scope: Scope::of(&org.as_ref()),
        org,
        roles: k.roles.clone(),
        must_change_password: false,
        via: Via::ApiKey { id: k.id },
    })
}

/// A key's last use is written at most once a minute.
fn mark_due(k: &api_keys::ApiKeyRow, now: Timestamp) -> bool {
    k.last_used_at
        .is_none_or(|t| now.duration_since(t) >= SignedDuration::from_mins(1))
}

/// API keys and their org units as read from the database, by prefix, kept 5 s: an intake request
/// through the API would otherwise begin with two reads on a blocking thread. A key disabled
/// through this server is forgotten at once; one disabled through another server, or a change of
/// its org unit, is seen within the 5 s.
pub type ApiKeyCache = crate::kept::Kept<(api_keys::ApiKeyRow, jingzhi_domain::org::OrgUnit), 5, 10_000>;

/// Signed-in sessions as read from the database (the actor they stand for), by token hash, kept
/// 5 s: every page would otherwise begin with three reads on a blocking thread. A session is read
/// again when its last use is due to be recorded (every 5 minutes) or it has expired. Changes made
/// through this server (sign-out, password, account, roles, org units) forget every entry after
/// their commit; made through another server, they are seen within the 5 s (ARCHITECTURE.md).
pub type SessionCache = crate::kept::Kept<CachedSession, 5, 10_000>;

#[derive(Clone)]
pub struct CachedSession {
    actor: Actor,
    last_seen_at: Timestamp,
    expires_at: Timestamp,
}

impl App {
    /// A kept session that needs nothing recorded now.
    fn kept_session(&self, token_hash: &str, now: Timestamp) -> Option<Actor> {
        self.sessions
            .get(token_hash)
            .filter(|e| now < e.expires_at && now.duration_since(e.last_seen_at) < TOUCH_EVERY)
            .map(|e| e.actor)
    }
}
