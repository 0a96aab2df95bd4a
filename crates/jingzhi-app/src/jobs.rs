//! Scheduled work shared by several app servers: a job runs once per time slot, on whichever
//! server claims the slot first (see `jingzhi_store::repo::jobs`).

use crate::App;
use crate::error::{AppError, AppResult};
use jingzhi_domain::time::civil_datetime;
use jingzhi_store::repo::jobs;

impl App {
    /// Runs `f` for `(name, slot)` unless another server (or an earlier run) already claimed it.
    /// Returns the job's result text, or None when the slot was already taken.
    pub fn run_once(&self, name: &str, slot: &str, f: impl FnOnce() -> AppResult<String>) -> AppResult<Option<String>> {
        let now = self.now();
        let node = self.config.node_name.clone();
        if !self.store.write(|c| jobs::claim(c, name, slot, &node, now))? {
            return Ok(None);
        }
        let result = match f() {
            Ok(r) => r,
            Err(e) => format!("error: {}", e.message),
        };
        let done = self.now();
        self.store.write(|c| jobs::finish(c, name, slot, &result, done))?;
        Ok(Some(result))
    }

    /// The hourly slot name for now (Asia/Shanghai), e.g. `2026-11-26T09`.
    pub fn hourly_slot(&self) -> String {
        let dt = civil_datetime(self.now());
        format!("{}T{:02}", dt.date(), dt.hour())
    }

    /// Hourly housekeeping: expired sessions, old sign-in attempts.
    pub fn housekeeping(&self) -> AppResult<Option<String>> {
        let slot = self.hourly_slot();
        self.run_once("housekeeping", &slot, || {
            let (s, l) = self.purge_expired()?;
            Ok::<_, AppError>(format!("sessions={s} login_attempts={l}"))
        })
    }
}

impl App {
    /// The write baseline of the benchmarks: one row in one transaction through the same store
    /// (served at POST /bench/insert only when `bench_endpoints` is on).
    pub fn bench_insert(&self) -> AppResult<i64> {
        let now = self.now();
        Ok(self
            .store
            .write(|c| jingzhi_store::repo::bench::insert_probe(c, now, "bench"))?)
    }
}
