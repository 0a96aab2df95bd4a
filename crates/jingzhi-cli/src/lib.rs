//! The `jingzhi` binary. The only crate that reads the environment, config files and the
//! terminal; everything else it does goes through the application layer.
#![forbid(unsafe_code)]

/// `println!` that ends the process quietly when the reader went away (`jingzhi … | head`).
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout(), $($t)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe { std::process::exit(0) }
        }
    }};
}
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = write!(std::io::stdout(), $($t)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe { std::process::exit(0) }
        }
    }};
}

mod clocks_cli;
pub mod config;
pub mod files_cli;
mod serve;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Parser, Subcommand};
use config::Config;
use jingzhi_app::demo::bootstrap_actor;
use jingzhi_app::users::UserInput;
use jingzhi_app::{Actor, App, AppError, SystemClock};
use jingzhi_domain::role::Role;
use jingzhi_store::Store;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// 精治 Jingzhi — 长宁区城管执法运行平台
#[derive(Parser, Debug)]
#[command(name = "jingzhi", version, about)]
pub struct Cli {
    /// Config file (TOML). Also `JINGZHI_CONFIG`.
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Database URL, overriding config and environment: sqlite://PATH or postgres://…
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web server.
    Serve(ServeArgs),
    /// Apply pending database migrations.
    Migrate,
    /// Users: add, passwd, list, disable, enable.
    #[command(subcommand)]
    User(UserCmd),
    /// Organisations and places: list, import.
    #[command(subcommand)]
    Org(OrgCmd),
    /// API keys for machine clients.
    #[command(subcommand, name = "api-key")]
    ApiKey(ApiKeyCmd),
    /// Online backup of the SQLite database to a file (PostgreSQL: use pg_dump, see docs/operations.md).
    Backup {
        /// Destination file.
        dest: PathBuf,
    },
    /// The audit trail.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Evidence files: where they are kept; verify every file's hash.
    #[command(subcommand)]
    Files(files_cli::FilesCmd),
    /// The working-day calendar: show a year, import a year, add working days.
    #[command(subcommand)]
    Calendar(CalendarCmd),
    /// Legal deadlines: compute and explain one, list the rules.
    #[command(subcommand)]
    Deadline(DeadlineCmd),
    /// Suggest the matter of a complaint text (matched phrases, confidence, alternatives).
    Classify {
        /// The text, e.g. "楼下饭店油烟太大".
        text: String,
        /// Print JSON: {"matter": {"code", "name"}, "confidence", "reasons", "alternatives", …}.
        #[arg(long)]
        json: bool,
    },
    /// Import 12345 work orders from an xlsx or CSV file (column mapping: docs/clues.md). All or
    /// nothing; re-importing changes nothing.
    #[command(name = "import-12345")]
    Import12345 {
        file: PathBuf,
        /// Check every row and report, write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Export 12345 work orders with their handling (the reply file) as CSV.
    #[command(name = "export-12345")]
    Export12345 {
        /// First day (YYYY-MM-DD, Asia/Shanghai).
        #[arg(long)]
        from: String,
        /// Last day, inclusive.
        #[arg(long)]
        to: String,
        /// Output file (.csv).
        out: PathBuf,
    },
    /// Street/town or grid boundaries (GeoJSON) for jurisdiction.
    #[command(subcommand)]
    Boundaries(BoundariesCmd),
    /// Synthetic data for benchmarks (docs/BENCHMARKS.md).
    #[command(subcommand)]
    Generate(GenerateCmd),
    /// Print the effective configuration (secrets hidden), or an example config file.
    Config {
        /// Print a commented example instead.
        #[arg(long)]
        example: bool,
    },
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Listen address (overrides config), e.g. 127.0.0.1:8080 or 0.0.0.0:80.
    #[arg(long)]
    pub listen: Option<String>,
    /// Start on a fresh demo database (realistic Changning data, one account per role).
    #[arg(long)]
    pub demo: bool,
}

#[derive(Subcommand, Debug)]
pub enum UserCmd {
    /// Create a user. Prints a temporary password unless --password-stdin is given; the user must
    /// change it at first sign-in.
    Add {
        username: String,
        /// 姓名
        #[arg(long)]
        name: String,
        /// Org unit code (see `jingzhi org list`).
        #[arg(long)]
        org: String,
        /// Role code, repeatable: admin, bureau_leader, legal_reviewer, inspector, dispatcher,
        /// team_leader, officer, property_staff, department_liaison, grid_worker.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// 执法证号 (officers and team leaders).
        #[arg(long)]
        cert: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        /// Read the initial password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a user's password (read from standard input, or a generated temporary one).
    Passwd {
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users.
    List,
    /// Disable a user (signs them out everywhere).
    Disable { username: String },
    /// Re-enable a user.
    Enable { username: String },
}

#[derive(Subcommand, Debug)]
pub enum OrgCmd {
    /// List org units.
    List,
    /// Import streets, departments, communities, grids, property companies and compounds from a
    /// TOML file (format: docs/data-formats.md). All or nothing; re-importing changes nothing.
    Import {
        file: PathBuf,
        /// Check and report, write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ApiKeyCmd {
    /// Create an API key (printed once).
    Create {
        /// What it is for, e.g. "12345平台".
        #[arg(long)]
        name: String,
        /// Org unit code the key acts for.
        #[arg(long, default_value = "dispatch")]
        org: String,
        /// Role codes, repeatable.
        #[arg(long = "role", default_values_t = vec!["dispatcher".to_string()])]
        roles: Vec<String>,
    },
    /// List API keys (prefixes only).
    List,
}

#[derive(Subcommand, Debug)]
pub enum CalendarCmd {
    /// Show a year's holidays, make-up working days and working days per month.
    Show { year: i32 },
    /// Import (replace) one year from a TOML file (data/calendar/YYYY.toml form) or a CSV file
    /// (`date,kind,name`; give --year and --source). All or nothing.
    Import {
        file: PathBuf,
        /// Year of a CSV file.
        #[arg(long)]
        year: Option<i32>,
        /// Source (notice title, number, date) of a CSV file.
        #[arg(long)]
        source: Option<String>,
        /// Check and print, write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Print the date that is N working days after DATE (DATE itself not counted).
    AddWorkingDays { date: String, n: u32 },
}

#[derive(Subcommand, Debug)]
pub enum DeadlineCmd {
    /// Compute a deadline and print its due date and one-sentence explanation.
    Explain {
        /// Rule code (see `jingzhi deadline rules`).
        #[arg(long)]
        rule: String,
        /// The anchor instant: 2026-03-02, 2026-03-02T09:30 (Asia/Shanghai) or RFC 3339.
        #[arg(long)]
        from: String,
        /// A suspension A..B (instants as for --from), repeatable; B may be empty (still suspended).
        #[arg(long = "suspend")]
        suspend: Vec<String>,
        /// Reason of the suspensions (default 中止).
        #[arg(long, default_value = "中止")]
        suspend_reason: String,
        /// An approved extension LENGTH[:APPROVER], repeatable (in the rule's extension unit).
        #[arg(long = "extend")]
        extend: Vec<String>,
        /// When it was done, if it was.
        #[arg(long)]
        met: Option<String>,
        /// Compute the state at this instant instead of now.
        #[arg(long)]
        now: Option<String>,
    },
    /// List the clock rules.
    Rules,
    /// Run the due-soon / overdue sweep over every open clock now (what the server's scheduled
    /// job does every five minutes) and print what it found and how long it took.
    Sweep,
}

#[derive(Subcommand, Debug)]
pub enum GenerateCmd {
    /// Write COUNT synthetic clues (with their clocks) into the database, in batches.
    Clues {
        #[arg(long, default_value_t = 100_000)]
        count: usize,
        #[arg(long, default_value_t = 10_000)]
        batch: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Write COUNT synthetic penalty cases (parties, officers, evidence, numbers, clocks) into the
    /// database, in batches (for benchmarks and trials; the org tree must be imported first).
    Cases {
        #[arg(long, default_value_t = 100_000)]
        count: usize,
        #[arg(long, default_value_t = 10_000)]
        batch: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Write a synthetic 12345 work-order file (.xlsx or .csv by extension).
    Hotline {
        out: PathBuf,
        #[arg(long, default_value_t = 100_000)]
        rows: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Received over this many days before now.
        #[arg(long, default_value_t = 30)]
        days: u32,
    },
}

#[derive(Subcommand, Debug)]
pub enum BoundariesCmd {
    /// Import a GeoJSON FeatureCollection (properties `code`, `name`; optional `approximate`),
    /// replacing the boundaries of that level. All or nothing.
    Import {
        file: PathBuf,
        /// Grid boundaries instead of street/town boundaries.
        #[arg(long)]
        grid: bool,
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCmd {
    /// Walk the hash chain and report the first broken link (exit code 1 if broken).
    Verify,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::from(2)
        }
    }
}

fn env_var(k: &str) -> Option<String> {
    std::env::var(k).ok().filter(|v| !v.is_empty())
}

pub fn load_config(cli: &Cli) -> Result<Config> {
    let mut c = Config::load(cli.config.as_deref(), &env_var)?;
    if let Some(url) = &cli.database_url {
        c.database_url = url.clone();
    }
    Ok(c)
}

/// Logs go to standard error. Commands other than `serve` log warnings only, unless asked.
pub fn init_logging(c: &Config, serving: bool) {
    use tracing_subscriber::EnvFilter;
    let level = if serving || c.log_level != "info" {
        c.log_level.as_str()
    } else {
        "warn"
    };
    let filter = EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| EnvFilter::new(level));
    // Colours only for a person at a terminal, not in files and journals.
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let _ = if c.log_format == "json" {
        b.json().try_init()
    } else {
        b.try_init()
    };
}

fn open(c: &Config) -> Result<Store> {
    Store::open_with(&c.database_url, &c.store_options())
        .with_context(|| format!("无法打开数据库 {}", jingzhi_store::redact_url(&c.database_url)))
}

/// Opens the database, applies migrations and makes sure the shipped calendar and rules exist.
fn ready_app(c: &Config) -> Result<App> {
    let store = open(c)?;
    store.migrate()?;
    let app = app_for(c, store);
    app.ensure_clock_defaults().map_err(app_err)?;
    app.ensure_intake_defaults().map_err(app_err)?;
    Ok(app)
}

fn app_for(c: &Config, store: Store) -> App {
    App::new(store, Arc::new(SystemClock), c.app_config()).with_files(c.file_store())
}

/// The operator's actor: the district bureau if it exists, else a bootstrap actor.
fn cli_actor(app: &App) -> Actor {
    let bureau = app
        .store
        .read(|c| jingzhi_store::repo::places::find_org_by_code(c, jingzhi_app::orgs::BUREAU_CODE))
        .ok()
        .flatten();
    match bureau {
        Some(org) => Actor::cli(org),
        None => bootstrap_actor(),
    }
}

fn app_err(e: AppError) -> anyhow::Error {
    let mut s = format!("{}（{}）", e.message, e.code.code());
    for f in &e.fields {
        if !e.message.contains(&f.message) {
            s.push_str(&format!("\n  {}：{}", f.field, f.message));
        }
    }
    anyhow!(s)
}

fn read_password_stdin() -> Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let p = line.trim_end_matches(['\n', '\r']).to_string();
    if p.is_empty() {
        bail!("标准输入中没有密码");
    }
    Ok(p)
}

fn parse_roles(codes: &[String]) -> Result<Vec<Role>> {
    codes
        .iter()
        .map(|c| {
            Role::from_code(c).ok_or_else(|| {
                anyhow!(
                    "unknown role `{c}` (known: {})",
                    Role::ALL.iter().map(|r| r.code()).collect::<Vec<_>>().join(", ")
                )
            })
        })
        .collect()
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    let c = load_config(&cli)?;
    init_logging(&c, matches!(cli.command, Command::Serve(_)));
    match cli.command {
        Command::Serve(args) => serve::serve(c, args),
        Command::Config { example } => {
            if example {
                out!("{}", include_str!("../../../docs/jingzhi.example.toml"));
            } else {
                out!("{}", c.show());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let store = open(&c)?;
            let done = store.migrate()?;
            if done.is_empty() {
                outln!("数据库已是最新（{}）", store.backend().name());
            } else {
                outln!("已应用迁移：{done:?}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::User(cmd) => {
            let store = open(&c)?;
            store.migrate()?;
            let app = app_for(&c, store);
            let actor = cli_actor(&app);
            user_cmd(&app, &actor, cmd)
        }
        Command::Org(cmd) => {
            let store = open(&c)?;
            store.migrate()?;
            let app = app_for(&c, store);
            let actor = cli_actor(&app);
            match cmd {
                OrgCmd::List => {
                    let orgs = app.list_orgs(&actor).map_err(app_err)?;
                    let mut out = std::io::stdout().lock();
                    writeln!(out, "{} {} 名称", pad("代码", 30), pad("类型", 12))?;
                    for o in orgs {
                        writeln!(
                            out,
                            "{} {} {}{}",
                            pad(&o.code, 30),
                            pad(o.kind.label(), 12),
                            o.name,
                            if o.active { "" } else { "（停用）" }
                        )?;
                    }
                    Ok(ExitCode::SUCCESS)
                }
                OrgCmd::Import { file, dry_run } => {
                    let text =
                        std::fs::read_to_string(&file).with_context(|| format!("无法读取 {}", file.display()))?;
                    eprintln!("正在校验 {} …", file.display());
                    let rep = app.import_places(&actor, &text, dry_run).map_err(app_err)?;
                    outln!(
                        "{}新增 {} 条，更新 {} 条，未变 {} 条",
                        if rep.dry_run {
                            "试运行（未写入）："
                        } else {
                            "导入完成："
                        },
                        rep.created,
                        rep.updated,
                        rep.unchanged
                    );
                    Ok(ExitCode::SUCCESS)
                }
            }
        }
        Command::ApiKey(cmd) => {
            let store = open(&c)?;
            store.migrate()?;
            let app = app_for(&c, store);
            let actor = cli_actor(&app);
            match cmd {
                ApiKeyCmd::Create { name, org, roles } => {
                    let roles = parse_roles(&roles)?;
                    let k = app.create_api_key(&actor, &name, &org, &roles, None).map_err(app_err)?;
                    eprintln!("接口密钥已创建（只显示这一次，请妥善保存）：");
                    outln!("{}", k.key);
                }
                ApiKeyCmd::List => {
                    for k in app.list_api_keys(&actor).map_err(app_err)? {
                        outln!(
                            "{}\t{}\t{}\t{}",
                            k.prefix,
                            k.name,
                            k.roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(","),
                            if k.active { "active" } else { "disabled" }
                        );
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { dest } => {
            let store = open(&c)?;
            if dest.exists() {
                bail!("{} 已存在，不会覆盖", dest.display());
            }
            let mut last = 0;
            store.backup_sqlite(&dest, &mut |done, total| {
                let pct = (done * 100).checked_div(total).unwrap_or(100);
                if pct >= last + 10 || done == total {
                    eprintln!("备份进度：{pct}%（{done}/{total} 页）");
                    last = pct;
                }
            })?;
            outln!("已备份到 {}", dest.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Calendar(cmd) => {
            let app = ready_app(&c)?;
            let actor = cli_actor(&app);
            clocks_cli::calendar(&app, &actor, cmd)
        }
        Command::Deadline(cmd) => {
            let app = ready_app(&c)?;
            let actor = cli_actor(&app);
            clocks_cli::deadline(&app, &actor, cmd)
        }
        Command::Classify { text, json } => {
            let app = ready_app(&c)?;
            let actor = cli_actor(&app);
            let cl = app.classify_text(&actor, &text).map_err(app_err)?;
            if json {
                outln!("{}", serde_json::to_string(&cl)?);
            } else {
                outln!(
                    "事项：{}（{}），置信度 {:.0}%",
                    cl.matter.name,
                    cl.matter.code,
                    cl.confidence * 100.0
                );
                for r in &cl.reasons {
                    outln!("  依据：{r}");
                }
                for a in &cl.alternatives {
                    outln!("  其他可能：{}（{}）{:.0}%", a.name, a.code, a.confidence * 100.0);
                }
                if let Some(o) = &cl.out_of_remit {
                    outln!(
                        "  非城管职责：{}，建议转{}：{}",
                        o.topic,
                        o.suggested_department.label(),
                        o.reply
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import12345 { file, dry_run } => {
            let app = ready_app(&c)?;
            let actor = cli_actor(&app);
            let bytes = std::fs::read(&file).with_context(|| format!("无法读取 {}", file.display()))?;
            let rows = jingzhi_app::hotline::rows_of_file(&bytes).map_err(app_err)?;
            eprintln!("正在校验 {} 行…", rows.len().saturating_sub(1));
            let started = std::time::Instant::now();
            let r = app.import_12345(&actor, &rows, dry_run).map_err(app_err)?;
            outln!(
                "{}共 {} 条工单：新增 {} 条，已导入过 {} 条（未改动）；用时 {:.1} 秒",
                if r.dry_run {
                    "试运行（未写入）："
                } else {
                    "导入完成："
                },
                r.rows,
                r.new,
                r.existing,
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Export12345 { from, to, out } => {
            let app = ready_app(&c)?;
            let actor = cli_actor(&app);
            let from = jingzhi_domain::time::parse_date(&from).map_err(|e| anyhow!(e))?;
            let to = jingzhi_domain::time::parse_date(&to).map_err(|e| anyhow!(e))?;
            let rows = app
                .export_12345(
                    &actor,
                    jingzhi_domain::time::start_of_day(from),
                    jingzhi_domain::time::end_of_day(to),
                )
                .map_err(app_err)?;
            std::fs::write(
                &out,
                jingzhi_office::write_csv(jingzhi_app::hotline::EXPORT_HEADERS, &rows),
            )?;
            outln!("已导出 {} 条工单到 {}", rows.len(), out.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Generate(GenerateCmd::Clues { count, batch, seed }) => {
            let app = ready_app(&c)?;
            let started = std::time::Instant::now();
            app.generate_clues(count, batch.max(1), seed, &mut |done| {
                eprintln!(
                    "已生成 {done}/{count} 条线索（{:.0} 秒）",
                    started.elapsed().as_secs_f64()
                );
            })
            .map_err(app_err)?;
            outln!("已生成 {count} 条线索，用时 {:.1} 秒", started.elapsed().as_secs_f64());
            Ok(ExitCode::SUCCESS)
        }
        Command::Generate(GenerateCmd::Cases { count, batch, seed }) => {
            let app = ready_app(&c)?;
            let started = std::time::Instant::now();
            app.generate_cases(count, batch.max(1), seed, &mut |done| {
                eprintln!(
                    "已生成 {done}/{count} 件案件（{:.0} 秒）",
                    started.elapsed().as_secs_f64()
                );
            })
            .map_err(app_err)?;
            outln!("已生成 {count} 件案件，用时 {:.1} 秒", started.elapsed().as_secs_f64());
            Ok(ExitCode::SUCCESS)
        }
        Command::Generate(GenerateCmd::Hotline { out, rows, seed, days }) => {
            let app = ready_app(&c)?;
            let data = app.generate_hotline_rows(rows, seed, days);
            let is_csv = out.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
            let bytes = if is_csv {
                let headers: Vec<&str> = data[0].iter().map(String::as_str).collect();
                jingzhi_office::write_csv(&headers, &data[1..]).into_bytes()
            } else {
                jingzhi_office::write_xlsx(&[jingzhi_office::Sheet {
                    name: "工单".into(),
                    title: "12345工单".into(),
                    headers: data[0].clone(),
                    rows: data[1..]
                        .iter()
                        .map(|r| r.iter().map(|c| jingzhi_office::Cell::from(c.as_str())).collect())
                        .collect(),
                    red_rows: Vec::new(),
                }])?
            };
            std::fs::write(&out, bytes)?;
            outln!("已写出 {rows} 条工单到 {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Boundaries(BoundariesCmd::Import { file, grid, dry_run }) => {
            let app = ready_app(&c)?;
            let actor = cli_actor(&app);
            let text = std::fs::read_to_string(&file).with_context(|| format!("无法读取 {}", file.display()))?;
            let level = if grid {
                jingzhi_domain::geo::BoundaryLevel::Grid
            } else {
                jingzhi_domain::geo::BoundaryLevel::Street
            };
            let n = app.import_boundaries(&actor, &text, level, dry_run).map_err(app_err)?;
            outln!(
                "{}{} 个{}边界",
                if dry_run {
                    "校验通过（未写入）："
                } else {
                    "已导入 "
                },
                n,
                level.label()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Files(cmd) => files_cli::run(&c, cmd),
        Command::Audit(AuditCmd::Verify) => {
            let store = open(&c)?;
            let app = app_for(&c, store);
            let actor = cli_actor(&app);
            let rep = app
                .verify_audit(&actor, &mut |n| {
                    if n % 20_000 == 0 {
                        eprintln!("已校验 {n} 条…");
                    }
                })
                .map_err(app_err)?;
            match rep.broken {
                None => {
                    outln!("审计链完整：共 {} 条记录，未发现篡改。", rep.checked);
                    Ok(ExitCode::SUCCESS)
                }
                Some((seq, why)) => {
                    outln!("审计链在第 {seq} 条记录处断开：{why}（此前 {} 条完好）", rep.checked);
                    Ok(ExitCode::from(1))
                }
            }
        }
    }
}

fn user_cmd(app: &App, actor: &Actor, cmd: UserCmd) -> Result<ExitCode> {
    match cmd {
        UserCmd::Add {
            username,
            name,
            org,
            roles,
            cert,
            phone,
            password_stdin,
        } => {
            let roles = parse_roles(&roles)?;
            let org_unit = app
                .list_orgs(actor)
                .map_err(app_err)?
                .into_iter()
                .find(|o| o.code == org)
                .ok_or_else(|| anyhow!("组织机构 `{org}` 不存在（见 `jingzhi org list`）"))?;
            let input = UserInput {
                username: username.clone(),
                display_name: name,
                org_id: org_unit.id,
                phone: phone.unwrap_or_default(),
                certificate_no: cert.unwrap_or_default(),
                roles,
            };
            if password_stdin {
                let p = read_password_stdin()?;
                app.create_user_with_password(actor, &input, &p, true)
                    .map_err(app_err)?;
                outln!("用户 {username} 已创建；首次登录须修改密码。");
            } else {
                let created = app.create_user(actor, &input).map_err(app_err)?;
                outln!("用户 {username} 已创建。临时密码（只显示一次，首次登录须修改）：");
                outln!("{}", created.temporary_password);
            }
            Ok(ExitCode::SUCCESS)
        }
        UserCmd::Passwd {
            username,
            password_stdin,
        } => {
            let u = app.find_user_by_username(actor, &username).map_err(app_err)?;
            if password_stdin {
                let p = read_password_stdin()?;
                app.set_password(actor, u.id, &p, false).map_err(app_err)?;
                outln!("已为 {username} 设置新密码。");
            } else {
                let p = app.reset_password(actor, u.id).map_err(app_err)?;
                outln!("已为 {username} 重置密码。临时密码（只显示一次，登录后须修改）：");
                outln!("{p}");
            }
            Ok(ExitCode::SUCCESS)
        }
        UserCmd::List => {
            let mut out = std::io::stdout().lock();
            for (u, o) in app.list_users(actor).map_err(app_err)? {
                writeln!(
                    out,
                    "{} {} {} {} {}",
                    pad(&u.username, 16),
                    pad(&u.display_name, 10),
                    pad(&u.roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(","), 24),
                    pad(&o.name, 30),
                    if u.active { "启用" } else { "停用" }
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        UserCmd::Disable { username } => {
            let u = app.find_user_by_username(actor, &username).map_err(app_err)?;
            app.set_user_active(actor, u.id, false).map_err(app_err)?;
            outln!("已停用 {username}，其所有会话已失效。");
            Ok(ExitCode::SUCCESS)
        }
        UserCmd::Enable { username } => {
            let u = app.find_user_by_username(actor, &username).map_err(app_err)?;
            app.set_user_active(actor, u.id, true).map_err(app_err)?;
            outln!("已重新启用 {username}。");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Pads to a width in terminal columns (a Chinese character takes two), so that columns line up.
fn pad(s: &str, width: usize) -> String {
    let cols: usize = s
        .chars()
        .map(|c| if (c as u32) >= 0x1100 && !c.is_ascii() { 2 } else { 1 })
        .sum();
    format!("{s}{}", " ".repeat(width.saturating_sub(cols)))
}
