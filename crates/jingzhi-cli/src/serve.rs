//! `jingzhi serve`: the web server, its background jobs, and the demo mode.

use crate::config::Config;
use crate::{ServeArgs, app_for, open};
use anyhow::{Context, Result, bail};
use jingzhi_app::App;
use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

/// The demo dataset (Changning; coordinates and boundaries approximate).
pub const DEMO_PLACES: &str = include_str!("../../../data/demo/changning.toml");

/// Blocking threads of the server (store and other synchronous work).
const BLOCKING_THREADS: usize = 32;

pub fn serve(mut c: Config, args: ServeArgs) -> Result<ExitCode> {
    if let Some(l) = args.listen {
        c.listen = l;
    }
    let mut demo_dir = None;
    if args.demo {
        let dir = std::env::temp_dir().join(format!(
            "jingzhi-demo-{}-{}",
            std::process::id(),
            jingzhi_app::secrets::random_hex(3)
        ));
        std::fs::create_dir_all(&dir)?;
        c.database_url = format!("sqlite://{}", dir.join("demo.db").display());
        demo_dir = Some(dir);
    }
    let store = open(&c)?;
    let is_sqlite = store.backend() == jingzhi_store::Backend::Sqlite;
    if is_sqlite || c.auto_migrate || args.demo {
        let done = store.migrate()?;
        if !done.is_empty() {
            tracing::info!(?done, "migrations applied");
        }
    } else {
        let applied = jingzhi_store::migrate::applied_versions(&store).unwrap_or_default();
        let known: Vec<i64> = jingzhi_store::migrate::for_backend(store.backend())
            .iter()
            .map(|m| m.version)
            .collect();
        if applied != known {
            bail!(
                "the PostgreSQL schema is not current (applied {applied:?}, this version needs {known:?}): run `jingzhi migrate` first, or set auto_migrate = true"
            );
        }
    }
    let app = app_for(&c, store);
    // Try the file store once (storing the empty file is harmless: content addressing), so that a
    // wrong directory or bucket shows at start rather than at the first upload. A store that is
    // down does not keep the rest of the platform from serving.
    match app.files.put(b"") {
        Ok(_) => tracing::info!(files = %app.files.location(), "evidence file store ready"),
        Err(e) => {
            tracing::warn!(files = %app.files.location(), error = %e, "evidence file store unusable: uploads and downloads will fail")
        }
    }
    app.ensure_clock_defaults().map_err(crate::app_err)?;
    app.ensure_intake_defaults().map_err(crate::app_err)?;
    let indexed = app
        .backfill_case_search(&mut |n| {
            tracing::info!(cases = n, "case search: indexing cases stored before it existed")
        })
        .map_err(crate::app_err)?;
    if indexed > 0 {
        tracing::info!(cases = indexed, "case search: indexed");
    }
    let mut lines = Vec::new();
    if args.demo {
        let accounts = jingzhi_app::demo::seed(&app, DEMO_PLACES).map_err(crate::app_err)?;
        // A few penalty cases at different stages (prior notice, legal review, closed on the spot).
        app.seed_demo_cases(&accounts).map_err(crate::app_err)?;
        for a in accounts {
            lines.push(format!("demo-login {} {} {}", a.role.code(), a.username, a.password));
        }
        // Open311 clients post as the dispatch centre's intake (docs/open311.md, "API keys").
        let key = app
            .create_api_key(
                &jingzhi_app::demo::bootstrap_actor(),
                "Open311（演示）",
                jingzhi_app::orgs::DISPATCH_CODE,
                &[jingzhi_domain::role::Role::Dispatcher],
                None,
            )
            .map_err(crate::app_err)?;
        lines.push(format!("open311-api-key: {}", key.key));
    }
    let web = jingzhi_web::WebState::new(
        app.clone(),
        jingzhi_web::WebConfig {
            secure_cookies: c.secure_cookies,
            demo: args.demo,
            trust_proxy: c.trust_proxy,
            bench_endpoints: c.bench_endpoints,
            ..jingzhi_web::WebConfig::default()
        },
    );
    // Store work runs on blocking threads. SQLite has one writer (writes queue for it and commit
    // in groups) and a few readers, so more threads than this only add memory: tokio's default of
    // 512 let 64 concurrent intake requests hold 140 threads and 300 MB (docs/BENCHMARKS.md).
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(BLOCKING_THREADS)
        .build()?;
    let result = rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&c.listen)
            .await
            .with_context(|| format!("无法监听 {}", c.listen))?;
        let addr = listener.local_addr()?;
        {
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "jingzhi serving http://{addr}/ ({})",
                if args.demo { "demo database" } else { "database ready" }
            )?;
            for l in &lines {
                writeln!(out, "{l}")?;
            }
            out.flush()?;
        }
        tokio::spawn(background(app.clone()));
        let router = jingzhi_web::router(web).into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, router).with_graceful_shutdown(shutdown()).await?;
        tracing::info!("server stopped");
        Ok::<_, anyhow::Error>(())
    });
    if let Some(dir) = demo_dir {
        let _ = std::fs::remove_dir_all(dir);
    }
    result.map(|_| ExitCode::SUCCESS)
}

/// A scheduled job: runs its current slot, or does nothing when another server already did.
type Job = fn(&App) -> jingzhi_app::AppResult<Option<String>>;

/// Scheduled work: every minute, try the current slots of the scheduled jobs. Each slot runs once
/// across all servers (see `App::run_once`).
async fn background(app: App) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        let jobs: [(&str, Job); 2] = [
            ("housekeeping", App::housekeeping),
            ("deadline_sweep", App::scheduled_sweep),
        ];
        for (name, job) in jobs {
            let a = app.clone();
            match tokio::task::spawn_blocking(move || job(&a)).await {
                Ok(Ok(Some(r))) => tracing::info!(job = name, result = %r, "scheduled job ran"),
                Ok(Ok(None)) => {}
                Ok(Err(e)) => tracing::warn!(job = name, error = %e, "scheduled job failed"),
                Err(e) => tracing::warn!(job = name, error = %e, "scheduled job panicked"),
            }
        }
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
