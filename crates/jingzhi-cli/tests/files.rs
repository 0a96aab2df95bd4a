//! `jingzhi files show|verify` run as an operator would: the real binary, its output and exit code.

use jingzhi_files::{FileStore, LocalFiles};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_jingzhi");

fn run(dir: &std::path::Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let url = format!("sqlite://{}", dir.join("jingzhi.db").display());
    let mut cmd = Command::new(BIN);
    cmd.args(["--database-url", &url])
        .args(args)
        .env_remove("JINGZHI_CONFIG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn files_verify_finds_a_damaged_file_next_to_the_database() {
    let dir = std::env::temp_dir().join(format!("jingzhi-cli-files-{}", jingzhi_testkit::random_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    let files_dir = dir.join("files");

    let show = run(&dir, &[], &["files", "show"]);
    assert!(show.status.success(), "{}", text(&show));
    assert!(
        text(&show).contains(&files_dir.display().to_string()),
        "files next to the database: {}",
        text(&show)
    );
    assert!(text(&show).contains("50 MB"), "{}", text(&show));

    let empty = run(&dir, &[], &["files", "verify"]);
    assert_eq!(empty.status.code(), Some(0), "{}", text(&empty));
    assert!(text(&empty).contains("共 0 个文件"), "{}", text(&empty));

    let store = LocalFiles::new(&files_dir);
    let a = store.put(b"\x89PNG\r\n\x1a\nphoto one").unwrap();
    store.put(b"%PDF-1.7 record").unwrap();
    let ok = run(&dir, &[], &["files", "verify"]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    assert!(
        text(&ok).contains("共 2 个文件") && text(&ok).contains("全部完好"),
        "{}",
        text(&ok)
    );

    let path = store.path_of(&a.sha256).unwrap();
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&path, perms).unwrap();
    std::fs::write(&path, b"edited").unwrap();
    let bad = run(&dir, &[], &["files", "verify"]);
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad));
    assert!(
        text(&bad).contains("已损坏") && text(&bad).contains(&a.sha256),
        "{}",
        text(&bad)
    );

    // Another directory from the environment; S3 is not walked.
    let other = dir.join("elsewhere");
    let o = run(
        &dir,
        &[("JINGZHI_FILES_DIR", other.to_str().unwrap())],
        &["files", "verify"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains(&other.display().to_string()), "{}", text(&o));
    let s3 = [
        ("JINGZHI_FILES_BACKEND", "s3"),
        ("JINGZHI_FILES_S3_ENDPOINT", "http://127.0.0.1:1"),
        ("JINGZHI_FILES_S3_BUCKET", "evidence"),
        ("JINGZHI_FILES_S3_ACCESS_KEY", "AK"),
        ("JINGZHI_FILES_S3_SECRET_KEY", "very-secret"),
    ];
    let o = run(&dir, &s3, &["files", "verify"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("只检查本地目录"), "{}", text(&o));
    let o = run(&dir, &s3, &["files", "show"]);
    assert!(
        text(&o).contains("S3 http://127.0.0.1:1 存储桶 evidence"),
        "{}",
        text(&o)
    );
    let o = run(&dir, &s3, &["config"]);
    assert!(!text(&o).contains("very-secret"), "{}", text(&o));
    let _ = std::fs::remove_dir_all(&dir);
}
