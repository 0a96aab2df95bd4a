//! The `jingzhi` binary as an operator uses it: the real executable, run against a scratch SQLite
//! file, reading its exit code, standard output and standard error.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_jingzhi");
const DEMO_PLACES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/demo/changning.toml");
const PASSWORD: &str = "Changning-2026!";

/// Every role code (`jingzhi_domain::role::Role::ALL`): the demo prints one account for each.
const ROLE_CODES: &[&str] = &[
    "admin",
    "bureau_leader",
    "legal_reviewer",
    "inspector",
    "dispatcher",
    "team_leader",
    "officer",
    "property_staff",
    "department_liaison",
    "grid_worker",
];

/// A scratch directory holding one SQLite database; removed when dropped.
struct Db {
    dir: PathBuf,
    url: String,
}

impl Db {
    fn new() -> Db {
        let dir = std::env::temp_dir().join(format!("jingzhi-cli-test-{}", jingzhi_testkit::random_suffix()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("jingzhi.db").display());
        Db { dir, url }
    }

    /// A database with the demo places imported.
    fn with_places() -> Db {
        let db = Db::new();
        let out = db.ok(&["org", "import", DEMO_PLACES]);
        assert!(stdout(&out).contains("导入完成"), "{}", stdout(&out));
        db
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Runs `jingzhi --database-url URL ARGS…`.
    fn run(&self, args: &[&str]) -> Output {
        self.run_with_stdin(args, None)
    }

    fn run_with_stdin(&self, args: &[&str], input: Option<&str>) -> Output {
        let mut full = vec!["--database-url", self.url.as_str()];
        full.extend_from_slice(args);
        jingzhi(&full, &[], input)
    }

    /// Runs and insists on exit code 0.
    fn ok(&self, args: &[&str]) -> Output {
        let out = self.run(args);
        assert_success(args, &out);
        out
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A command for the binary with a clean environment: no `JINGZHI_*` from the caller's shell.
fn command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env_clear();
    if let Ok(path) = std::env::var("PATH") {
        cmd.env("PATH", path);
    }
    cmd.env("RUST_LOG", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

fn jingzhi(args: &[&str], env: &[(&str, &str)], input: Option<&str>) -> Output {
    let mut cmd = command(args, env);
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start jingzhi");
    {
        let mut stdin = child.stdin.take().unwrap();
        if let Some(text) = input {
            stdin.write_all(text.as_bytes()).unwrap();
        }
    }
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_success(args: &[&str], out: &Output) {
    assert!(
        out.status.success(),
        "jingzhi {args:?} failed ({:?})\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        stdout(out),
        stderr(out)
    );
}

/// `(created, updated, unchanged)` from an import report line.
fn import_counts(report: &str) -> (u64, u64, u64) {
    let number_before = |word: &str| -> u64 {
        let at = report.find(word).unwrap_or_else(|| panic!("no {word} in {report:?}"));
        report[at + word.len()..]
            .trim_start()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap_or_else(|_| panic!("no number after {word} in {report:?}"))
    };
    (number_before("新增"), number_before("更新"), number_before("未变"))
}

fn add_officer(db: &Db, username: &str) {
    let out = db.run_with_stdin(
        &[
            "user",
            "add",
            username,
            "--name",
            "吴磊",
            "--org",
            "team-310105001",
            "--role",
            "officer",
            "--cert",
            "31010520990001",
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    assert_success(&["user", "add", username], &out);
    assert!(
        stdout(&out).contains(&format!("用户 {username} 已创建")),
        "{}",
        stdout(&out)
    );
}

/// The `user list` line of one user.
fn list_line(db: &Db, username: &str) -> Option<String> {
    stdout(&db.ok(&["user", "list"]))
        .lines()
        .find(|l| l.split_whitespace().next() == Some(username))
        .map(str::to_string)
}

#[test]
fn migrate_twice_reports_up_to_date() {
    let db = Db::new();
    let first = db.ok(&["migrate"]);
    assert!(stdout(&first).contains("已应用迁移"), "{}", stdout(&first));
    let second = db.ok(&["migrate"]);
    assert!(
        stdout(&second).contains("数据库已是最新（sqlite）"),
        "{}",
        stdout(&second)
    );
}

#[test]
fn org_import_dry_run_writes_nothing_and_a_reimport_changes_nothing() {
    let db = Db::new();
    let dry = db.ok(&["org", "import", DEMO_PLACES, "--dry-run"]);
    let dry_report = stdout(&dry);
    assert!(dry_report.contains("试运行（未写入）"), "{dry_report}");
    let (would_create, _, _) = import_counts(&dry_report);
    assert!(would_create > 200, "the demo has more than 200 places: {dry_report}");
    let listed = stdout(&db.ok(&["org", "list"]));
    assert!(!listed.contains("team-310105001"), "the dry run wrote:\n{listed}");

    let real = db.ok(&["org", "import", DEMO_PLACES]);
    let report = stdout(&real);
    assert!(report.contains("导入完成"), "{report}");
    assert_eq!(
        import_counts(&report),
        (would_create, 0, 0),
        "the dry run reported exactly what the import did"
    );
    let listed = stdout(&db.ok(&["org", "list"]));
    assert!(listed.contains("team-310105001") && listed.contains("华阳路街道综合行政执法队"));

    let again = stdout(&db.ok(&["org", "import", DEMO_PLACES]));
    let (created, updated, unchanged) = import_counts(&again);
    assert_eq!((created, updated), (0, 0), "re-importing changes nothing: {again}");
    assert!(unchanged > 200, "{again}");
}

#[test]
fn a_bad_import_file_is_refused_whole_with_exit_code_2() {
    let db = Db::new();
    let file = db.path("bad.toml");
    std::fs::write(
        &file,
        "[[street]]\ncode = \"31010500\"\nname = \"坏街道\"\nkind = \"village\"\nteam_name = \"x\"\n",
    )
    .unwrap();
    let out = db.run(&["org", "import", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("未导入任何数据") && err.contains("import_rejected"),
        "{err}"
    );
    assert!(err.contains("街镇代码应为9位数字"), "{err}");
    let listed = stdout(&db.ok(&["org", "list"]));
    assert_eq!(listed.lines().count(), 1, "only the header:\n{listed}");
}

#[test]
fn users_are_added_listed_reset_and_disabled() {
    let db = Db::with_places();

    let bad = db.run(&[
        "user", "add", "zhang", "--name", "张三", "--org", "bureau", "--role", "chief",
    ]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    let err = stderr(&bad);
    assert!(err.contains("unknown role `chief`"), "{err}");
    assert!(
        ROLE_CODES.iter().all(|r| err.contains(r)),
        "the message lists the known roles: {err}"
    );
    assert!(list_line(&db, "zhang").is_none(), "nothing was created");

    add_officer(&db, "wulei");
    let line = list_line(&db, "wulei").expect("listed");
    assert!(
        line.contains("吴磊") && line.contains("officer") && line.contains("启用"),
        "{line}"
    );

    let passwd = db.ok(&["user", "passwd", "wulei"]);
    let text = stdout(&passwd);
    assert!(text.contains("临时密码"), "{text}");
    let temporary = text.lines().last().unwrap().trim();
    assert!(temporary.starts_with("Jz-") && temporary.len() >= 12, "{text}");

    let disable = db.ok(&["user", "disable", "wulei"]);
    assert!(stdout(&disable).contains("已停用 wulei"), "{}", stdout(&disable));
    let line = list_line(&db, "wulei").expect("still listed");
    assert!(line.ends_with("停用"), "{line}");

    let missing = db.run(&["user", "disable", "nobody"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("用户不存在：nobody"), "{}", stderr(&missing));
}

#[test]
fn api_key_create_prints_the_key_alone_on_stdout() {
    let db = Db::with_places();
    let out = db.ok(&["api-key", "create", "--name", "12345平台"]);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "only the key goes to stdout: {text:?}");
    assert!(lines[0].starts_with("jzk_"), "{text}");
    assert!(stderr(&out).contains("只显示这一次"), "{}", stderr(&out));
    let listed = stdout(&db.ok(&["api-key", "list"]));
    let prefix: String = lines[0].splitn(3, '_').take(2).collect::<Vec<_>>().join("_");
    assert!(listed.contains(&prefix) && listed.contains("dispatcher"), "{listed}");
    assert!(!listed.contains(lines[0]), "the secret is never listed");
}

#[test]
fn backup_writes_a_valid_database_and_never_overwrites() {
    let db = Db::with_places();
    add_officer(&db, "wulei");
    let dest = db.path("backup.db");
    let dest_arg = dest.to_str().unwrap();
    let out = db.ok(&["backup", dest_arg]);
    assert!(stdout(&out).contains("已备份到"), "{}", stdout(&out));
    assert!(dest.is_file());
    assert!(
        !Path::new(&format!("{dest_arg}-wal")).exists(),
        "the copy stands alone, without a WAL file"
    );

    let restored = jingzhi(
        &["--database-url", &format!("sqlite://{dest_arg}"), "user", "list"],
        &[],
        None,
    );
    assert_success(&["user", "list"], &restored);
    assert!(stdout(&restored).contains("wulei"), "{}", stdout(&restored));

    let size = std::fs::metadata(&dest).unwrap().len();
    let again = db.run(&["backup", dest_arg]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("不会覆盖"), "{}", stderr(&again));
    assert_eq!(std::fs::metadata(&dest).unwrap().len(), size, "left alone");
}

#[test]
fn audit_verify_finds_a_row_edited_behind_the_apps_back() {
    let db = Db::with_places();
    let ok = db.run(&["audit", "verify"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    assert!(stdout(&ok).contains("审计链完整"), "{}", stdout(&ok));

    let store = jingzhi_store::Store::open(&db.url).unwrap();
    store
        .write(|c| c.execute_batch("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET action = 'x' WHERE seq = 3"))
        .unwrap();
    drop(store);

    let broken = db.run(&["audit", "verify"]);
    assert_eq!(broken.status.code(), Some(1), "{}", stderr(&broken));
    let text = stdout(&broken);
    assert!(text.contains("第 3 条记录处断开"), "{text}");
    assert!(text.contains("记录被修改"), "{text}");
}

#[test]
fn config_shows_layers_and_never_prints_the_database_password() {
    let url = "postgres://jz:s3cret-pw@127.0.0.1:1/jingzhi";
    let env = [("JINGZHI_DATABASE_URL", url), ("JINGZHI_NODE_NAME", "node-7")];
    let out = jingzhi(&["config"], &env, None);
    assert_success(&["config"], &out);
    let text = stdout(&out);
    assert!(!text.contains("s3cret"), "{text}");
    assert!(text.contains("postgres://jz:***@127.0.0.1:1/jingzhi"), "{text}");
    assert!(text.contains("node_name = \"node-7\""), "{text}");
    assert!(
        text.contains("listen = \"127.0.0.1:8080\""),
        "defaults fill the rest: {text}"
    );

    // Nor when the database cannot be reached.
    let failed = jingzhi(&["migrate"], &env, None);
    assert_eq!(failed.status.code(), Some(2));
    assert!(!stderr(&failed).contains("s3cret") && !stdout(&failed).contains("s3cret"));
    assert!(stderr(&failed).contains("jz:***@"), "{}", stderr(&failed));

    let example = jingzhi(&["config", "--example"], &[], None);
    assert_success(&["config", "--example"], &example);
    assert!(stdout(&example).contains("sqlite_synchronous = \"normal\""));
    assert!(stdout(&example).contains("sqlite_wal_limit_mb = 320"));
    assert!(stdout(&example).contains("pg_parallel_workers = 0"));

    // Settings from the environment, checked: out of range, `config` refuses with the range.
    let wal = jingzhi(&["config"], &[("JINGZHI_SQLITE_WAL_LIMIT_MB", "64")], None);
    assert!(stdout(&wal).contains("sqlite_wal_limit_mb = 64"), "{}", stdout(&wal));
    for (var, value, message) in [
        (
            "JINGZHI_SQLITE_WAL_LIMIT_MB",
            "1",
            "sqlite_wal_limit_mb 须在 8 到 65536 之间",
        ),
        (
            "JINGZHI_PG_PARALLEL_WORKERS",
            "65",
            "pg_parallel_workers 须在 0 到 64 之间",
        ),
    ] {
        let refused = jingzhi(&["config"], &[(var, value)], None);
        assert_eq!(refused.status.code(), Some(2), "{var}: {}", stderr(&refused));
        assert!(stderr(&refused).contains(message), "{var}: {}", stderr(&refused));
    }
}

/// Sends SIGTERM (graceful shutdown) and waits; kills after `grace`.
fn stop(child: &mut Child, grace: Duration) -> bool {
    let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    false
}

#[test]
fn serve_demo_prints_its_address_one_login_per_role_and_an_open311_key() {
    let mut child = command(&["serve", "--demo", "--listen", "127.0.0.1:0"], &[])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start jingzhi serve --demo");
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    let out = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });

    let mut base = None;
    let mut logins: Vec<(String, String, String)> = Vec::new();
    let mut open311_key: Option<String> = None;
    let deadline = Instant::now() + Duration::from_secs(120);
    while base.is_none()
        || open311_key.is_none()
        || !ROLE_CODES.iter().all(|r| logins.iter().any(|(role, _, _)| role == r))
    {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(line) = rx.recv_timeout(left) else {
            stop(&mut child, Duration::from_secs(5));
            panic!(
                "serve --demo did not print its address, logins and Open311 key in time (got {base:?}, {logins:?}, {open311_key:?})"
            );
        };
        if let Some(rest) = line.strip_prefix("jingzhi serving ") {
            let url = rest
                .split_whitespace()
                .next()
                .unwrap()
                .trim_end_matches('/')
                .to_string();
            assert!(url.starts_with("http://127.0.0.1:"), "{line}");
            base = Some(url);
        } else if let Some(rest) = line.strip_prefix("demo-login ") {
            let parts: Vec<&str> = rest.split(' ').collect();
            assert_eq!(parts.len(), 3, "demo-login <role> <username> <password>: {line}");
            logins.push((parts[0].into(), parts[1].into(), parts[2].into()));
        } else if let Some(key) = line.strip_prefix("open311-api-key: ") {
            assert!(key.starts_with("jzk_") && !key.contains(' '), "{line}");
            assert!(open311_key.is_none(), "one Open311 key line");
            open311_key = Some(key.to_string());
        } else {
            panic!("unexpected line on stdout: {line}");
        }
    }
    let base = base.unwrap();
    for (role, username, password) in &logins {
        assert!(ROLE_CODES.contains(&role.as_str()), "unknown role {role}");
        assert!(!username.is_empty() && password.len() >= 10, "{role} {username}");
    }

    let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(10)).build();
    let health = agent.get(&format!("{base}/healthz")).call().expect("/healthz answers");
    assert_eq!(health.status(), 200);
    assert_eq!(health.into_string().unwrap(), "ok");
    let ready = agent.get(&format!("{base}/readyz")).call().expect("/readyz answers");
    assert_eq!(ready.status(), 200);
    // The printed key works for an Open311 POST, and the request can be read back without it.
    let key = open311_key.unwrap();
    let posted = agent
        .post(&format!("{base}/open311/v2/requests.json"))
        .send_form(&[
            ("api_key", key.as_str()),
            ("service_code", "street_vending"),
            ("address_string", "长宁区某路口"),
            ("description", "人行道上有人摆摊卖水果"),
        ])
        .expect("Open311 POST with the demo key");
    let body: serde_json::Value = posted.into_json().unwrap();
    let id = body[0]["service_request_id"]
        .as_str()
        .expect("service_request_id")
        .to_string();
    assert!(id.starts_with("XS"), "{body}");
    let read: serde_json::Value = agent
        .get(&format!("{base}/open311/v2/requests/{id}.json"))
        .call()
        .expect("GET the new request")
        .into_json()
        .unwrap();
    assert_eq!(read[0]["service_code"], "street_vending");
    let refused = agent
        .post(&format!("{base}/open311/v2/requests.json"))
        .send_form(&[("api_key", "jzk_00000000_nope"), ("service_code", "street_vending")]);
    assert!(
        matches!(refused, Err(ureq::Error::Status(403, _))),
        "a made-up key is refused"
    );
    drop(agent);

    assert!(
        stop(&mut child, Duration::from_secs(15)),
        "SIGTERM stops the server gracefully"
    );
    let leftovers: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!("jingzhi-demo-{pid}-"))
        })
        .collect();
    assert!(leftovers.is_empty(), "the demo database is removed on shutdown");
}

/// On PostgreSQL, SIGTERM ends `serve` cleanly with its pool's connections open: they are closed
/// off the async runtime (closing one inside it panicked in a destructor, and the process aborted).
#[test]
fn serve_on_postgres_stops_cleanly_on_sigterm() {
    let Some(pg) = jingzhi_testkit::Scratch::postgres("cli::serve_on_postgres_stops_cleanly_on_sigterm") else {
        return;
    };
    let mut child = command(&["--database-url", &pg.url, "serve", "--listen", "127.0.0.1:0"], &[])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start jingzhi serve");
    let out = child.stdout.take().unwrap();
    let mut lines = BufReader::new(out).lines();
    let base = loop {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(rest) = line.strip_prefix("jingzhi serving ") {
                    break rest
                        .split_whitespace()
                        .next()
                        .unwrap()
                        .trim_end_matches('/')
                        .to_string();
                }
            }
            _ => {
                stop(&mut child, Duration::from_secs(5));
                panic!("serve did not print its address");
            }
        }
    };
    let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(10)).build();
    // Requests that leave connections idle in the pool.
    for _ in 0..3 {
        let ready = agent.get(&format!("{base}/readyz")).call().expect("/readyz answers");
        assert_eq!(ready.status(), 200);
    }
    drop(agent);
    let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("serve did not stop within 15 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    let _ = std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err);
    assert!(status.success(), "exit {status:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn deadline_sweep_checks_the_open_clocks_and_reports_the_overdue() {
    let db = Db::with_places();
    db.ok(&["generate", "clues", "--count", "300", "--batch", "100", "--seed", "7"]);
    let out = db.ok(&["deadline", "sweep"]);
    let text = stdout(&out);
    let number_after = |label: &str| -> u64 {
        let at = text.find(label).unwrap_or_else(|| panic!("no {label} in {text}")) + label.len();
        text[at..]
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap_or_else(|_| panic!("no number after {label} in {text}"))
    };
    let checked = number_after("已检查");
    assert!(checked > 0, "the generated open clues have clocks: {text}");
    assert!(checked < 300 * 4, "only open clocks are checked: {text}");
    assert!(number_after("已超期") > 0, "some generated clues are overdue: {text}");
    assert_eq!(number_after("出错"), 0, "{text}");
    // A second sweep finds nothing new to change.
    let again = stdout(&db.ok(&["deadline", "sweep"]));
    assert!(again.contains("状态变化 0"), "{again}");
}
