//! Shared fixtures for the app tests.
#![allow(dead_code)]

use jiff::Timestamp;
use jingzhi_app::demo::{self, DemoAccount};
use jingzhi_app::{Actor, App, AppConfig, FixedClock};
use jingzhi_domain::role::Role;
use jingzhi_testkit::Scratch;
use std::sync::Arc;

pub const PLACES: &str = include_str!("../fixtures/places.toml");

pub struct World {
    pub app: App,
    pub clock: Arc<FixedClock>,
    pub accounts: Vec<DemoAccount>,
}

pub fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

pub fn world(s: &Scratch) -> World {
    let clock = Arc::new(FixedClock::new(t("2026-03-02T01:00:00Z")));
    let app = App::new(s.store.clone(), clock.clone(), AppConfig::for_tests());
    let accounts = demo::seed(&app, PLACES).expect("seed");
    World { app, clock, accounts }
}

impl World {
    pub fn account(&self, role: Role) -> &DemoAccount {
        self.accounts.iter().find(|a| a.role == role).expect("account for role")
    }

    /// Signs in as the demo account of a role and returns its actor.
    pub fn actor(&self, role: Role) -> Actor {
        let a = self.account(role);
        let s = self
            .app
            .login(&a.username, &a.password, "127.0.0.1", None)
            .expect("login");
        self.app.session_actor(&s.token).unwrap().expect("session")
    }
}

pub const DEMO: &str = include_str!("../../../../data/demo/changning.toml");

/// A world on the full demo dataset (10 streets, boundaries, roads, compounds).
pub fn demo_world(s: &Scratch) -> World {
    let clock = Arc::new(FixedClock::new(t("2026-03-02T01:00:00Z")));
    let app = App::new(s.store.clone(), clock.clone(), AppConfig::for_tests());
    let accounts = demo::seed(&app, DEMO).expect("seed");
    World { app, clock, accounts }
}

/// Stores a duplicate-look configuration before a world is built on the database (the app reads
/// it when it first needs its intake data).
pub fn set_dedup_config(s: &Scratch, cfg: &jingzhi_domain::dedup::DedupConfig) {
    s.store
        .write(|c| {
            jingzhi_store::repo::settings::set(
                c,
                "dedup_config",
                &serde_json::to_string(cfg).unwrap(),
                t("2026-01-01T00:00:00Z"),
            )
        })
        .unwrap();
}
