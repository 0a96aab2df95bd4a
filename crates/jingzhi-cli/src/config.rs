//! Configuration, layered: built-in defaults → config file (TOML) → environment (`JINGZHI_*`).
//! Secrets (the database password) never print: `Debug` and `show` redact them.

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::path::Path;

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
    /// SQLite `synchronous`: `normal` (a killed process loses nothing) or `full` (also survives power loss).
    pub sqlite_synchronous: String,
    /// Apply pending migrations when `serve` starts (always on for SQLite; for PostgreSQL run
    /// `jingzhi migrate` before rolling out several servers instead).
    pub auto_migrate: bool,
    /// Serve the benchmark baseline endpoint `POST /bench/insert` (docs/BENCHMARKS.md). Never in
    /// production.
    pub bench_endpoints: bool,
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
            sqlite_synchronous: "normal".into(),
            auto_migrate: false,
            bench_endpoints: false,
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
    "sqlite_synchronous",
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
        let c: Config = table.try_into().context("配置无效")?;
        if !matches!(c.log_format.as_str(), "text" | "json") {
            bail!("log_format 须为 `text` 或 `json`");
        }
        if !matches!(c.sqlite_synchronous.as_str(), "normal" | "full") {
            bail!("sqlite_synchronous 须为 `normal` 或 `full`");
        }
        Ok(c)
    }

    /// The configuration as TOML, with the database password hidden.
    pub fn show(&self) -> String {
        let mut c = self.clone();
        c.database_url = jingzhi_store::redact_url(&c.database_url);
        toml::to_string_pretty(&c).expect("config serialises")
    }

    pub fn app_config(&self) -> jingzhi_app::AppConfig {
        jingzhi_app::AppConfig {
            session_idle_minutes: self.session_idle_minutes,
            login_max_failures: self.login_max_failures,
            lockout_minutes: self.lockout_minutes,
            ip_max_failures: self.ip_max_failures,
            node_name: self.node_name.clone(),
            ..jingzhi_app::AppConfig::default()
        }
    }

    pub fn store_options(&self) -> jingzhi_store::StoreOptions {
        jingzhi_store::StoreOptions {
            pg_pool_size: self.pg_pool_size,
            sqlite_synchronous_full: self.sqlite_synchronous == "full",
            ..jingzhi_store::StoreOptions::default()
        }
    }
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
}
