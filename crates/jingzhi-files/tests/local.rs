//! LocalFiles: round trip, idempotence, tamper detection, names checked, crash safety (a process
//! killed while writing leaves only whole files under content names).

use jingzhi_files::local::TEMP_PREFIX;
use jingzhi_files::{FileError, FileStore, LocalFiles, sha256_hex};
use std::path::{Path, PathBuf};
use std::sync::Arc;

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("jz-files-{tag}-{}", jingzhi_testkit::random_suffix()));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn content(seed: u32, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

#[test]
fn round_trip_in_sharded_directories() {
    let dir = TempDir::new("rt");
    let store = LocalFiles::new(dir.0.join("files"));
    let bytes = content(1, 10_000);
    let stored = store.put(&bytes).unwrap();
    assert_eq!(stored.sha256, sha256_hex(&bytes));
    assert_eq!(stored.size, 10_000);
    let sha = &stored.sha256;
    let path = dir.0.join("files").join(&sha[0..2]).join(&sha[2..4]).join(sha);
    assert!(path.is_file(), "stored at ab/cd/abcd…: {}", path.display());
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    assert_eq!(store.get(sha).unwrap(), bytes);
    assert!(store.exists(sha).unwrap());
    assert!(store.location().contains("files"));

    let empty_hash = sha256_hex(b"");
    let missing = sha256_hex(b"never stored");
    assert!(!store.exists(&missing).unwrap());
    assert!(matches!(store.get(&missing), Err(FileError::NotFound { .. })));
    // The empty file is content like any other.
    assert_eq!(store.put(b"").unwrap().sha256, empty_hash);
    assert_eq!(store.get(&empty_hash).unwrap(), b"");
}

#[test]
fn put_is_idempotent_even_from_many_threads() {
    let dir = TempDir::new("idem");
    let store = Arc::new(LocalFiles::new(&dir.0));
    let bytes = Arc::new(content(2, 200_000));
    let first = store.put(&bytes).unwrap();
    let again = store.put(&bytes).unwrap();
    assert_eq!(first, again);
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (store, bytes) = (store.clone(), bytes.clone());
            std::thread::spawn(move || store.put(&bytes).unwrap())
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), first);
    }
    // One file, no temporary leftovers.
    let files = files_under(&dir.0);
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(store.get(&first.sha256).unwrap(), *bytes);

    // Other content, another file.
    let other = store.put(&content(3, 10)).unwrap();
    assert_ne!(other.sha256, first.sha256);
    assert_eq!(files_under(&dir.0).len(), 2);
}

#[test]
fn a_file_edited_on_disk_is_detected_on_read_and_repaired_by_a_new_put() {
    let dir = TempDir::new("tamper");
    let store = LocalFiles::new(&dir.0);
    let bytes = content(4, 5_000);
    let stored = store.put(&bytes).unwrap();
    let path = store.path_of(&stored.sha256).unwrap();

    // Stored files are read-only; a tamperer has to lift that first.
    let meta = std::fs::metadata(&path).unwrap();
    assert!(meta.permissions().readonly(), "stored files are written read-only");
    let mut perms = meta.permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&path, perms).unwrap();
    let mut edited = bytes.clone();
    edited[100] ^= 0x01;
    std::fs::write(&path, &edited).unwrap();

    match store.get(&stored.sha256) {
        Err(FileError::Tampered { sha256, actual }) => {
            assert_eq!(sha256, stored.sha256);
            assert_eq!(actual, sha256_hex(&edited));
        }
        other => panic!("expected Tampered, got {other:?}"),
    }
    let message = store.get(&stored.sha256).unwrap_err().to_string();
    assert!(message.contains("篡改"), "{message}");
    assert!(store.exists(&stored.sha256).unwrap(), "exists does not read content");

    // Truncation is caught the same way.
    std::fs::write(&path, &bytes[..10]).unwrap();
    assert!(matches!(store.get(&stored.sha256), Err(FileError::Tampered { .. })));

    // Uploading the original again restores it.
    assert_eq!(store.put(&bytes).unwrap(), stored);
    assert_eq!(store.get(&stored.sha256).unwrap(), bytes);
}

#[test]
fn names_that_are_not_hashes_are_refused_before_touching_the_disk() {
    let dir = TempDir::new("names");
    let store = LocalFiles::new(dir.0.join("files"));
    std::fs::write(dir.0.join("secret"), b"outside").unwrap();
    for bad in [
        "../secret",
        "",
        "ABCDEF",
        &"a".repeat(63),
        &"g".repeat(64),
        &sha256_hex(b"x").to_uppercase(),
    ] {
        assert!(matches!(store.get(bad), Err(FileError::InvalidHash(_))), "{bad}");
        assert!(matches!(store.exists(bad), Err(FileError::InvalidHash(_))), "{bad}");
    }
}

#[test]
fn a_leftover_temporary_file_is_never_content() {
    // What a process killed between write and rename leaves behind: a half-written temporary
    // file in the shard directory.
    let dir = TempDir::new("leftover");
    let store = LocalFiles::new(&dir.0);
    let bytes = content(5, 50_000);
    let sha = sha256_hex(&bytes);
    let shard = dir.0.join(&sha[0..2]).join(&sha[2..4]);
    std::fs::create_dir_all(&shard).unwrap();
    std::fs::write(shard.join(format!("{TEMP_PREFIX}999-0")), &bytes[..20_000]).unwrap();
    assert!(!store.exists(&sha).unwrap());
    assert!(matches!(store.get(&sha), Err(FileError::NotFound { .. })));
    store.put(&bytes).unwrap();
    assert_eq!(store.get(&sha).unwrap(), bytes);
}

/// The child half of `killing_a_writer_leaves_only_whole_files`: writes files until killed.
#[test]
fn crash_child_writer() {
    let Ok(root) = std::env::var("JZ_FILES_CRASH_CHILD_DIR") else {
        return; // only runs as the child
    };
    let store = LocalFiles::new(root);
    for i in 0..10_000u32 {
        store.put(&content(1000 + i, 2 * 1024 * 1024)).unwrap();
    }
}

#[test]
fn killing_a_writer_leaves_only_whole_files() {
    let dir = TempDir::new("crash");
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_child_writer", "--nocapture", "--test-threads=1"])
        .env("JZ_FILES_CRASH_CHILD_DIR", &dir.0)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Let it write a few files, then kill it (SIGKILL) in the middle of its work.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let n = files_under(&dir.0)
            .iter()
            .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with(TEMP_PREFIX))
            .count();
        if n >= 3 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the child wrote nothing in 60 s");
        assert!(child.try_wait().unwrap().is_none(), "the child ended early");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let store = LocalFiles::new(&dir.0);
    let mut whole = 0;
    for path in files_under(&dir.0) {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with(TEMP_PREFIX) {
            continue; // a write that never became visible
        }
        assert_eq!(name.len(), 64, "only content names besides temporaries: {name}");
        let bytes = store.get(&name).unwrap_or_else(|e| panic!("{name} is not whole: {e}"));
        assert_eq!(bytes.len(), 2 * 1024 * 1024);
        whole += 1;
    }
    assert!(whole >= 3, "{whole} whole files");
}

#[test]
fn verify_all_reads_everything_and_names_the_damaged_files() {
    let dir = TempDir::new("verify");
    let store = LocalFiles::new(dir.0.join("files"));
    assert_eq!(
        store.verify_all().unwrap(),
        Default::default(),
        "no directory yet: empty"
    );
    let a = store.put(&content(10, 1000)).unwrap();
    let b = store.put(&content(11, 2000)).unwrap();
    let report = store.verify_all().unwrap();
    assert!(report.is_clean());
    assert_eq!((report.checked, report.bytes), (2, 3000));

    let path = store.path_of(&b.sha256).unwrap();
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&path, perms).unwrap();
    std::fs::write(&path, b"changed").unwrap();
    let shard = path.parent().unwrap();
    std::fs::write(shard.join(format!("{TEMP_PREFIX}1-1")), b"half").unwrap();
    std::fs::write(dir.0.join("files").join("notes.txt"), b"not evidence").unwrap();
    // A content name in the wrong shard is a stray too (it would never be found).
    std::fs::copy(store.path_of(&a.sha256).unwrap(), dir.0.join("files").join(&a.sha256)).unwrap();

    let report = store.verify_all().unwrap();
    assert!(!report.is_clean());
    assert_eq!(report.damaged, vec![b.sha256.clone()]);
    assert_eq!(report.checked, 2);
    assert_eq!(report.temporaries, 1);
    assert_eq!(report.strays.len(), 2, "{:?}", report.strays);
}
