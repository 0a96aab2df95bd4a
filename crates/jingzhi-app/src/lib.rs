//! Jingzhi's application layer: the use cases.
//!
//! Every public method on [`App`] that reads or writes data takes the [`Actor`] and checks both
//! rules before touching the store: the role check (`jingzhi_domain::authz`) and the data scope
//! (`jingzhi_domain::org::Scope`). Every state change writes its audit record in the same
//! transaction. Time comes from the injected [`Clock`]. Nothing here knows HTTP or SQL.
#![forbid(unsafe_code)]

pub mod actor;
pub mod audit;
pub mod auth;
pub mod case_files;
pub mod case_people;
pub mod case_settings;
mod case_sheet;
pub mod cases;
pub mod clock;
pub mod clocks;
pub mod clues;
pub mod demo;
pub mod error;
pub mod files;
pub mod generate;
pub mod hotline;
pub mod intake;
pub mod jobs;
pub mod kept;
pub mod open311;
pub mod orgs;
pub mod secrets;
pub mod users;

pub use actor::{Actor, Via};
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{AppError, AppResult, ErrorCode, ErrorKind, FieldError};

use jingzhi_store::Store;
use std::sync::Arc;

/// Settings of the application layer (from the config file / environment via the CLI).
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// A session expires after this many minutes without use.
    pub session_idle_minutes: i64,
    /// Consecutive failed sign-ins before an account is locked.
    pub login_max_failures: i64,
    /// How long a locked account stays locked.
    pub lockout_minutes: i64,
    /// Failed sign-ins from one address within `lockout_minutes` before the address is refused.
    pub ip_max_failures: i64,
    /// This app server's name (job slots, logs).
    pub node_name: String,
    /// Argon2id memory cost in KiB and passes. Defaults follow OWASP (19 MiB, 2 passes).
    pub argon2_memory_kib: u32,
    pub argon2_passes: u32,
    /// Size and type limits of uploaded files (evidence, attachments).
    pub file_policy: jingzhi_files::FilePolicy,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            session_idle_minutes: 8 * 60,
            login_max_failures: 5,
            lockout_minutes: 15,
            ip_max_failures: 30,
            node_name: "node-1".into(),
            argon2_memory_kib: 19 * 1024,
            argon2_passes: 2,
            file_policy: jingzhi_files::FilePolicy::default(),
        }
    }
}

impl AppConfig {
    /// Cheap password hashing for tests (never for production).
    pub fn for_tests() -> AppConfig {
        AppConfig {
            argon2_memory_kib: 64,
            argon2_passes: 1,
            ..AppConfig::default()
        }
    }
}

/// The application: the store, the clock and the settings. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<AppConfig>,
    /// The calendar and clock rules, cached (see `clocks`).
    pub clocks: Arc<clocks::ClockCache>,
    /// The matter catalogue, classifier and jurisdiction data, cached (see `intake`).
    pub intake: Arc<intake::IntakeCache>,
    /// Queue tab counts, kept briefly (see `clues`).
    pub queue_counts: Arc<clues::QueueCountCache>,
    /// Case list totals, kept briefly (see `cases`).
    pub case_counts: Arc<kept::TotalCache>,
    /// API keys read in the last few seconds (see `auth::ApiKeyCache`).
    pub api_keys: Arc<auth::ApiKeyCache>,
    /// Sessions read in the last few seconds (see `auth::SessionCache`).
    pub sessions: Arc<auth::SessionCache>,
    /// Where evidence and attachment files are kept (content-addressed, verified on read). `App::new`
    /// puts them in a temporary directory; servers and the CLI set the configured store with
    /// [`App::with_files`].
    pub files: Arc<dyn jingzhi_files::FileStore>,
}

impl App {
    pub fn new(store: Store, clock: Arc<dyn Clock>, config: AppConfig) -> App {
        App {
            store,
            clock,
            config: Arc::new(config),
            clocks: Arc::new(clocks::ClockCache::default()),
            intake: Arc::new(intake::IntakeCache::default()),
            queue_counts: Arc::new(clues::QueueCountCache::default()),
            case_counts: Arc::new(kept::TotalCache::default()),
            api_keys: Arc::new(auth::ApiKeyCache::default()),
            sessions: Arc::new(auth::SessionCache::default()),
            files: Arc::new(jingzhi_files::LocalFiles::new(default_files_dir())),
        }
    }

    /// The same application with `files` as its file store.
    pub fn with_files(mut self, files: Arc<dyn jingzhi_files::FileStore>) -> App {
        self.files = files;
        self
    }

    pub fn now(&self) -> jiff::Timestamp {
        self.clock.now()
    }
}

/// The file directory of an `App` built without one (tests, tools): `jingzhi-files` in the system's
/// temporary directory. Content addressing makes sharing it between processes harmless.
fn default_files_dir() -> std::path::PathBuf {
    std::env::temp_dir().join("jingzhi-files")
}
