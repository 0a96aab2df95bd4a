//! Configuration, layered: built-in defaults → config file (TOML) → environment (`JINGZHI_*`).
//! Secrets (the database password, the S3 secret key) never print: `Debug` and `show` redact them.

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address to listen on.
    pub listen: String,
    /// `sqlite://PATH` (default, embedded) or `postgres://user:pass@host:port/db`.
    pub database_url: String,
    /// This server's name (logs, scheduled-job slots).
    pub node_name: String,
    /// `text` or `json`.
    pub log_format: String,
    /// tracing filter, e.g. `info` or `jingzhi_web=debug,info`.
    pub log_level: String,
    /// Mark cookies Secure (serve over HTTPS).
    pub secure_cookies: bool,
    /// Behind a reverse proxy: trust `X-Forwarded-For` for the client address.
    pub trust_proxy: bool,
    /// Sessions expire after this many idle minutes.
    pub session_idle_minutes: i64,
    /// Consecutive failed sign-ins before an account locks.
    pub login_max_failures: i64,
    /// Minutes an account stays locked.
    pub lockout_minutes: i64,
    /// Failed sign-ins from one address within the lockout window before it is refused.
    pub ip_max_failures: i64,
    /// PostgreSQL connections per server.
    pub pg_pool_size: usize,
    /// PostgreSQL parallel workers per query on this server's connections (0: none).
    pub pg_parallel_workers: i64,
    /// SQLite `synchronous`: `normal` (a killed process loses nothing) or `full` (also survives power loss).
    pub sqlite_synchronous: String,
    /// SQLite write-ahead log limit in MB (`jingzhi.db-wal` stays below about twice this).
    pub sqlite_wal_limit_mb: i64,
    /// Apply pending migrations when `serve` starts (always on for SQLite; for PostgreSQL run
    /// `jingzhi migrate` before rolling out several servers instead).
    pub auto_migrate: bool,
    /// Serve the benchmark baseline endpoint `POST /bench/insert` (docs/BENCHMARKS.md). Never in
    /// production.
    pub bench_endpoints: bool,
    /// Evidence and attachment files (`[files]` in the file, `JINGZHI_FILES_*` in the environment).
    pub files: FilesConfig,
}

/// `[files]`: where evidence files are kept and how large they may be.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FilesConfig {
    /// `local` (a directory) or `s3` (an S3-compatible bucket).
    pub backend: String,
    /// The local directory. Empty: `files` next to the SQLite database (`data/files` for the default
    /// database), or `data/files` with PostgreSQL.
    pub dir: String,
    /// Largest file accepted, in MB.
    pub max_mb: u64,
    /// `https://host[:port]` (or `http://` on a private network) of the S3-compatible service.
    pub s3_endpoint: String,
    pub s3_region: String,
    pub s3_bucket: String,
    pub s3_access_key: String,
    /// Never printed.
    pub s3_secret_key: String,
    /// Path-style addresses (`endpoint/bucket/key`, MinIO) rather than `bucket.endpoint/key`.
    pub s3_path_style: bool,
    /// Prepended to every object key, e.g. `evidence/`.
    pub s3_prefix: String,
    /// HTTPS with a private PKI: a PEM file with the CA certificates to trust (instead of the public
    /// roots). Empty: the public roots.
    pub s3_ca_file: String,
}

impl Default for FilesConfig {
    fn default() -> Self {
        FilesConfig {
            backend: "local".into(),
            dir: String::new(),
            max_mb: jingzhi_files::policy::DEFAULT_MAX_BYTES / (1024 * 1024),
            s3_endpoint: String::new(),
            s3_region: "us-east-1".into(),
            s3_bucket: String::new(),
            s3_access_key: String::new(),
            s3_secret_key: String::new(),
            s3_path_style: true,
            s3_prefix: String::new(),
            s3_ca_file: String::new(),
        }
    }
}

/// Keys of `[files]`, each also read from `JINGZHI_FILES_<KEY>`.
const FILES_KEYS: &[&str] = &[
    "backend",
    "dir",
    "max_mb",
    "s3_endpoint",
    "s3_region",
    "s3_bucket",
    "s3_access_key",
    "s3_secret_key",
    "s3_path_style",
    "s3_prefix",
    "s3_ca_file",
];

impl FilesConfig {
    fn s3_config(&self) -> jingzhi_files::S3Config {
        jingzhi_files::S3Config {
            endpoint: self.s3_endpoint.clone(),
            region: self.s3_region.clone(),
            bucket: self.s3_bucket.clone(),
            access_key: self.s3_access_key.clone(),
            secret_key: self.s3_secret_key.clone(),
            path_style: self.s3_path_style,
            prefix: self.s3_prefix.clone(),
            ca_file: (!self.s3_ca_file.is_empty()).then(|| PathBuf::from(&self.s3_ca_file)),
            ..jingzhi_files::S3Config::default()
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            database_url: "sqlite://data/jingzhi.db".into(),
            node_name: "node-1".into(),
            log_format: "text".into(),
            log_level: "info".into(),
            secure_cookies: false,
            trust_proxy: false,
            session_idle_minutes: 480,
            login_max_failures: 5,
            lockout_minutes: 15,
            ip_max_failures: 30,
            pg_pool_size: 16,
            pg_parallel_workers: 0,
            sqlite_synchronous: "normal".into(),
            sqlite_wal_limit_mb: 320,
            auto_migrate: false,
            bench_endpoints: false,
            files: FilesConfig::default(),
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.show())
    }
}

/// Environment variables, each overriding one key.
const ENV: &[&str] = &[
    "listen",
    "database_url",
    "node_name",
    "log_format",
    "log_level",
    "secure_cookies",
    "trust_proxy",
    "session_idle_minutes",
    "login_max_failures",
    "lockout_minutes",
    "ip_max_failures",
    "pg_pool_size",
    "pg_parallel_workers",
    "sqlite_synchronous",
    "sqlite_wal_limit_mb",
    "auto_migrate",
    "bench_endpoints",
];

impl Config {
    /// Loads defaults, then the file (if given, or `JINGZHI_CONFIG`), then the environment.
    pub fn load(file: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> Result<Config> {
        let mut table = toml::Table::try_from(Config::default()).expect("defaults serialise");
        let file = file
            .map(|p| p.to_path_buf())
            .or_else(|| env("JINGZHI_CONFIG").map(Into::into));
        if let Some(path) = file {
            let text =
                std::fs::read_to_string(&path).with_context(|| format!("无法读取配置文件 {}", path.display()))?;
            let from_file: toml::Table =
                toml::from_str(&text).with_context(|| format!("配置文件 {} 不是有效的 TOML", path.display()))?;
            for (k, v) in from_file {
                if k == "files" {
                    let toml::Value::Table(section) = v else {
                        bail!("{} 中的 `files` 须为 [files] 表", path.display());
                    };
                    let mut merged = match table.remove("files") {
                        Some(toml::Value::Table(t)) => t,
                        _ => toml::Table::new(),
                    };
                    for (fk, fv) in section {
                        if !FILES_KEYS.contains(&fk.as_str()) {
                            bail!(
                                "{} 的 [files] 中有未知的配置项 `{fk}`（可用：{}）",
                                path.display(),
                                FILES_KEYS.join(", ")
                            );
                        }
                        merged.insert(fk, fv);
                    }
                    table.insert(k, toml::Value::Table(merged));
                    continue;
                }
                if !ENV.contains(&k.as_str()) {
                    bail!("{} 中有未知的配置项 `{k}`（可用：{}）", path.display(), ENV.join(", "));
                }
                table.insert(k, v);
            }
        }
        for key in ENV {
            let var = format!("JINGZHI_{}", key.to_uppercase());
            if let Some(raw) = env(&var) {
                let current = table.get(*key).cloned().unwrap_or(toml::Value::String(String::new()));
                let v = match current {
                    toml::Value::Boolean(_) => {
                        toml::Value::Boolean(matches!(raw.as_str(), "1" | "true" | "yes" | "on"))
                    }
                    toml::Value::Integer(_) => {
                        toml::Value::Integer(raw.parse().with_context(|| format!("{var} 须为整数"))?)
                    }
                    _ => toml::Value::String(raw),
                };
                table.insert(key.to_string(), v);
            }
        }
        if let Some(toml::Value::Table(files)) = table.get_mut("files") {
            for key in FILES_KEYS {
                let var = format!("JINGZHI_FILES_{}", key.to_uppercase());
                if let Some(raw) = env(&var) {
                    files.insert(key.to_string(), env_value(files.get(*key), &var, raw)?);
                }
            }
        }
        let c: Config = table.try_into().context("配置无效")?;
        c.check_files()?;
        if !matches!(c.log_format.as_str(), "text" | "json") {
            bail!("log_format 须为 `text` 或 `json`");
        }
        if !matches!(c.sqlite_synchronous.as_str(), "normal" | "full") {
            bail!("sqlite_synchronous 须为 `normal` 或 `full`");
        }
        if !(0..=64).contains(&c.pg_parallel_workers) {
            bail!("pg_parallel_workers 须在 0 到 64 之间");
        }
        if !(8..=65536).contains(&c.sqlite_wal_limit_mb) {
            bail!("sqlite_wal_limit_mb 须在 8 到 65536 之间（单位 MB）");
        }
        Ok(c)
    }

    fn check_files(&self) -> Result<()> {
        let f = &self.files;
        match f.backend.as_str() {
            "local" => {}
            "s3" => {
                if let Err(why) = f.s3_config().validate() {
                    bail!("[files] 配置无效：{why}");
                }
            }
            _ => bail!("[files] backend 须为 `local` 或 `s3`"),
        }
        if f.max_mb == 0 {
            bail!("[files] max_mb 须大于 0");
        }
        Ok(())
    }

    /// The local file directory: `[files] dir`, else `files` next to the SQLite database, else
    /// `data/files`.
    pub fn files_dir(&self) -> PathBuf {
        if !self.files.dir.is_empty() {
            return PathBuf::from(&self.files.dir);
        }
        if let Some(db) = self.database_url.strip_prefix("sqlite://")
            && let Some(parent) = Path::new(db).parent()
        {
            return parent.join("files");
        }
        PathBuf::from(jingzhi_files::local::DEFAULT_DIR)
    }

    /// The configured file store (checked by `load`, so building it cannot fail).
    pub fn file_store(&self) -> Arc<dyn jingzhi_files::FileStore> {
        if self.files.backend == "s3" {
            // S3 signatures carry the wall clock, which only the app's SystemClock reads.
            let now: jingzhi_files::s3::Now = Arc::new(|| jingzhi_app::Clock::now(&jingzhi_app::SystemClock));
            match jingzhi_files::S3Files::new(self.files.s3_config(), now) {
                Ok(s3) => return Arc::new(s3),
                Err(why) => panic!("[files] checked at load: {why}"),
            }
        }
        Arc::new(jingzhi_files::LocalFiles::new(self.files_dir()))
    }

    /// The upload limits.
    pub fn file_policy(&self) -> jingzhi_files::FilePolicy {
        jingzhi_files::FilePolicy::default().with_max_bytes(self.files.max_mb.saturating_mul(1024 * 1024))
    }

    /// The configuration as TOML, with the database password and the S3 secret key hidden.
    pub fn show(&self) -> String {
        let mut c = self.clone();
        c.database_url = jingzhi_store::redact_url(&c.database_url);
        if !c.files.s3_secret_key.is_empty() {
            c.files.s3_secret_key = "***".into();
        }
        toml::to_string_pretty(&c).expect("config serialises")
    }

    pub fn app_config(&self) -> jingzhi_app::AppConfig {
        jingzhi_app::AppConfig {
            session_idle_minutes: self.session_idle_minutes,
            login_max_failures: self.login_max_failures,
            lockout_minutes: self.lockout_minutes,
            ip_max_failures: self.ip_max_failures,
            node_name: self.node_name.clone(),
            file_policy: self.file_policy(),
            ..jingzhi_app::AppConfig::default()
        }
    }

    pub fn store_options(&self) -> jingzhi_store::StoreOptions {
        jingzhi_store::StoreOptions {
            pg_pool_size: self.pg_pool_size,
            pg_parallel_workers: self.pg_parallel_workers as u32,
            sqlite_synchronous_full: self.sqlite_synchronous == "full",
            sqlite_wal_limit_mb: self.sqlite_wal_limit_mb as u64,
            ..jingzhi_store::StoreOptions::default()
        }
    }
}

/// An environment value typed like the value it replaces (booleans, integers, else text).
fn env_value(current: Option<&toml::Value>, var: &str, raw: String) -> Result<toml::Value> {
    Ok(match current {
        Some(toml::Value::Boolean(_)) => toml::Value::Boolean(matches!(raw.as_str(), "1" | "true" | "yes" | "on")),
        Some(toml::Value::Integer(_)) => toml::Value::Integer(raw.parse().with_context(|| format!("{var} 须为整数"))?),
        _ => toml::Value::String(raw),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env<'a>(m: &'a HashMap<&'a str, &'a str>) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| m.get(k).map(|v| v.to_string())
    }

    #[test]
    fn layers_apply_in_order_defaults_file_environment() {
        let dir = std::env::temp_dir().join(format!("jz-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("jingzhi.toml");
        std::fs::write(
            &file,
            "listen = \"0.0.0.0:9000\"\nnode_name = \"a\"\nlockout_minutes = 30\n",
        )
        .unwrap();
        let m = HashMap::from([("JINGZHI_NODE_NAME", "b"), ("JINGZHI_SECURE_COOKIES", "true")]);
        let c = Config::load(Some(&file), &env(&m)).unwrap();
        assert_eq!(c.listen, "0.0.0.0:9000", "file overrides default");
        assert_eq!(c.node_name, "b", "environment overrides file");
        assert!(c.secure_cookies);
        assert_eq!(c.lockout_minutes, 30);
        assert_eq!(c.database_url, "sqlite://data/jingzhi.db", "default kept");
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused() {
        let dir = std::env::temp_dir().join(format!("jz-config2-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("bad.toml");
        std::fs::write(&file, "lisen = \"x\"\n").unwrap();
        let none = HashMap::new();
        assert!(
            Config::load(Some(&file), &env(&none))
                .unwrap_err()
                .to_string()
                .contains("未知的配置项 `lisen`")
        );
        let m = HashMap::from([("JINGZHI_LOCKOUT_MINUTES", "soon")]);
        assert!(Config::load(None, &env(&m)).is_err());
    }

    #[test]
    fn the_database_password_never_prints() {
        let m = HashMap::from([("JINGZHI_DATABASE_URL", "postgres://jz:s3cret@db/jz")]);
        let c = Config::load(None, &env(&m)).unwrap();
        assert!(!c.show().contains("s3cret"));
        assert!(!format!("{c:?}").contains("s3cret"));
        assert!(c.show().contains("postgres://jz:***@db/jz"));
    }

    #[test]
    fn files_section_from_file_and_environment() {
        let dir = std::env::temp_dir().join(format!("jz-config-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let none = HashMap::new();
        let c = Config::load(None, &env(&none)).unwrap();
        assert_eq!(c.files.backend, "local");
        assert_eq!(
            c.files_dir(),
            Path::new("data/files"),
            "next to the default SQLite file"
        );
        assert_eq!(c.file_policy().max_bytes(), 50 * 1024 * 1024);
        assert_eq!(c.app_config().file_policy.max_bytes(), 50 * 1024 * 1024);
        let m = HashMap::from([("JINGZHI_DATABASE_URL", "sqlite:///srv/jz/jingzhi.db")]);
        assert_eq!(
            Config::load(None, &env(&m)).unwrap().files_dir(),
            Path::new("/srv/jz/files")
        );
        let m = HashMap::from([("JINGZHI_DATABASE_URL", "postgres://db/jz")]);
        assert_eq!(
            Config::load(None, &env(&m)).unwrap().files_dir(),
            Path::new("data/files")
        );

        let file = dir.join("files.toml");
        std::fs::write(
            &file,
            "listen = \"0.0.0.0:9000\"\n[files]\nbackend = \"s3\"\ns3_endpoint = \"http://minio:9000\"\n\
             s3_bucket = \"evidence\"\ns3_access_key = \"AK\"\ns3_secret_key = \"topsecret\"\nmax_mb = 20\n",
        )
        .unwrap();
        let m = HashMap::from([("JINGZHI_FILES_MAX_MB", "30"), ("JINGZHI_FILES_S3_PATH_STYLE", "false")]);
        let c = Config::load(Some(&file), &env(&m)).unwrap();
        assert_eq!(c.listen, "0.0.0.0:9000");
        assert_eq!(
            (c.files.backend.as_str(), c.files.s3_bucket.as_str()),
            ("s3", "evidence")
        );
        assert_eq!(c.files.max_mb, 30, "environment overrides file");
        assert!(!c.files.s3_path_style);
        assert!(c.file_store().location().contains("evidence"));
        assert!(!c.show().contains("topsecret"), "{}", c.show());
        assert!(!format!("{c:?}").contains("topsecret"));
        assert!(c.show().contains("[files]"));
        let shown: Config = toml::from_str(&c.show()).unwrap();
        assert_eq!(shown.files.s3_secret_key, "***");

        let m = HashMap::from([("JINGZHI_FILES_DIR", "/var/lib/jingzhi/files")]);
        let c = Config::load(None, &env(&m)).unwrap();
        assert_eq!(c.files_dir(), Path::new("/var/lib/jingzhi/files"));
        assert!(c.file_store().location().contains("/var/lib/jingzhi/files"));
    }

    #[test]
    fn bad_files_settings_are_refused_in_chinese() {
        let dir = std::env::temp_dir().join(format!("jz-config-files2-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("bad.toml");
        std::fs::write(&file, "[files]\nbakend = \"s3\"\n").unwrap();
        let none = HashMap::new();
        let err = Config::load(Some(&file), &env(&none)).unwrap_err().to_string();
        assert!(err.contains("[files] 中有未知的配置项 `bakend`"), "{err}");
        let m = HashMap::from([("JINGZHI_FILES_BACKEND", "ftp")]);
        let err = Config::load(None, &env(&m)).unwrap_err().to_string();
        assert!(err.contains("backend 须为"), "{err}");
        let m = HashMap::from([("JINGZHI_FILES_BACKEND", "s3")]);
        let err = Config::load(None, &env(&m)).unwrap_err().to_string();
        assert!(err.contains("S3 端点"), "{err}");
        let m = HashMap::from([
            ("JINGZHI_FILES_BACKEND", "s3"),
            ("JINGZHI_FILES_S3_ENDPOINT", "http://minio:9000"),
            ("JINGZHI_FILES_S3_BUCKET", "evidence"),
            ("JINGZHI_FILES_S3_ACCESS_KEY", "AK"),
            ("JINGZHI_FILES_S3_SECRET_KEY", "SK"),
            ("JINGZHI_FILES_S3_CA_FILE", "/etc/jingzhi/ca.pem"),
        ]);
        let err = Config::load(None, &env(&m)).unwrap_err().to_string();
        assert!(err.contains("ca_file"), "a CA file needs https: {err}");
        let m = HashMap::from([("JINGZHI_FILES_MAX_MB", "0")]);
        assert!(Config::load(None, &env(&m)).is_err());
        let m = HashMap::from([("JINGZHI_FILES_MAX_MB", "many")]);
        assert!(
            Config::load(None, &env(&m))
                .unwrap_err()
                .to_string()
                .contains("须为整数")
        );
    }
}
