//! Files in a local directory, sharded `ab/cd/abcdef…`.
//!
//! A write goes to a temporary file in the target directory (a name starting with `.tmp-`, which can
//! never be a content name), is flushed with fsync, renamed onto its final name (atomic within a
//! directory) and the directory is fsynced, so that after a crash a name either holds the whole
//! content or does not exist. A process killed mid-write can leave a `.tmp-…` file behind; it is never
//! read as content (operators may delete old ones, see docs/operations.md).

use crate::{FileError, FileStore, Result, StoredFile, check_sha256, sha256_hex, shard_path, verify};
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The default directory, relative to the working directory.
pub const DEFAULT_DIR: &str = "data/files";

/// Prefix of temporary files; content names are 64 hex digits, so the two never collide.
pub const TEMP_PREFIX: &str = ".tmp-";

/// A content-addressed directory of files.
#[derive(Debug)]
pub struct LocalFiles {
    root: PathBuf,
    counter: AtomicU64,
}

impl LocalFiles {
    /// A store under `root`. Nothing is touched on disk until the first `put` (directories are
    /// created as needed).
    pub fn new(root: impl Into<PathBuf>) -> LocalFiles {
        LocalFiles {
            root: root.into(),
            counter: AtomicU64::new(0),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the file named `sha256` lives (whether or not it exists). `sha256` must be valid.
    pub fn path_of(&self, sha256: &str) -> Result<PathBuf> {
        check_sha256(sha256)?;
        Ok(self.root.join(shard_path(sha256)))
    }

    /// Creates `dir` and any missing parents, fsyncing each parent whose entries changed so that the
    /// new directories survive a crash.
    fn ensure_dir(&self, dir: &Path) -> Result<()> {
        if dir.is_dir() {
            return Ok(());
        }
        if let Some(parent) = dir.parent()
            && !parent.as_os_str().is_empty()
        {
            self.ensure_dir(parent)?;
        }
        match fs::create_dir(dir) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::AlreadyExists => return Ok(()),
            Err(e) => return Err(io("创建目录", dir, e)),
        }
        if let Some(parent) = dir.parent()
            && !parent.as_os_str().is_empty()
        {
            sync_dir(parent)?;
        }
        Ok(())
    }

    fn write_new(&self, final_path: &Path, bytes: &[u8]) -> Result<()> {
        let dir = final_path.parent().expect("sharded path has a parent");
        self.ensure_dir(dir)?;
        let (tmp_path, mut tmp) = loop {
            let n = self.counter.fetch_add(1, Ordering::Relaxed);
            let name = format!("{TEMP_PREFIX}{}-{n}", std::process::id());
            let p = dir.join(name);
            match OpenOptions::new().write(true).create_new(true).open(&p) {
                Ok(f) => break (p, f),
                Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io("创建临时文件", &p, e)),
            }
        };
        let written = tmp
            .write_all(bytes)
            .and_then(|()| tmp.sync_all())
            .map_err(|e| io("写入", &tmp_path, e));
        drop(tmp);
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp_path);
            return Err(e);
        }
        // Read-only: a stored file is never changed in place (tampering needs intent).
        if let Ok(meta) = fs::metadata(&tmp_path) {
            let mut perms = meta.permissions();
            perms.set_readonly(true);
            let _ = fs::set_permissions(&tmp_path, perms);
        }
        if let Err(e) = fs::rename(&tmp_path, final_path) {
            let _ = fs::remove_file(&tmp_path);
            return Err(io("重命名", final_path, e));
        }
        sync_dir(dir)
    }
}

/// What [`LocalFiles::verify_all`] found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Files whose content was read and hashed.
    pub checked: u64,
    /// Their total size.
    pub bytes: u64,
    /// Names whose content no longer hashes to the name (altered or damaged), sorted.
    pub damaged: Vec<String>,
    /// Other files: not a content name in its shard directory, and not a temporary file.
    pub strays: Vec<PathBuf>,
    /// Temporary files left by interrupted writes.
    pub temporaries: u64,
}

impl VerifyReport {
    pub fn is_clean(&self) -> bool {
        self.damaged.is_empty() && self.strays.is_empty()
    }
}

impl LocalFiles {
    /// Reads every file under the root and checks that its content hashes to its name (an
    /// absent root is an empty store). Slow by nature: it reads everything.
    pub fn verify_all(&self) -> Result<VerifyReport> {
        let mut report = VerifyReport::default();
        if !self.root.exists() {
            return Ok(report);
        }
        let mut dirs = vec![self.root.clone()];
        while let Some(dir) = dirs.pop() {
            let entries = fs::read_dir(&dir).map_err(|e| io("读取目录", &dir, e))?;
            for entry in entries {
                let entry = entry.map_err(|e| io("读取目录", &dir, e))?;
                let path = entry.path();
                let kind = entry.file_type().map_err(|e| io("查看", &path, e))?;
                if kind.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let name = entry.file_name().to_string_lossy().to_string();
                if name.starts_with(TEMP_PREFIX) {
                    report.temporaries += 1;
                    continue;
                }
                if check_sha256(&name).is_err() || path != self.root.join(shard_path(&name)) {
                    report.strays.push(path);
                    continue;
                }
                let bytes = fs::read(&path).map_err(|e| io("读取", &path, e))?;
                report.checked += 1;
                report.bytes += bytes.len() as u64;
                if verify(&name, &bytes).is_err() {
                    report.damaged.push(name);
                }
            }
        }
        report.damaged.sort();
        report.strays.sort();
        Ok(report)
    }
}

impl FileStore for LocalFiles {
    fn put(&self, bytes: &[u8]) -> Result<StoredFile> {
        let sha256 = sha256_hex(bytes);
        let path = self.path_of(&sha256)?;
        let stored = StoredFile {
            sha256: sha256.clone(),
            size: bytes.len() as u64,
        };
        // Already there and intact: nothing to do. Present but damaged: written again (the rename
        // replaces the damaged file atomically), which repairs it.
        match fs::read(&path) {
            Ok(existing) if verify(&sha256, &existing).is_ok() => return Ok(stored),
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(io("读取", &path, e)),
        }
        self.write_new(&path, bytes)?;
        Ok(stored)
    }

    fn get(&self, sha256: &str) -> Result<Vec<u8>> {
        let path = self.path_of(sha256)?;
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                return Err(FileError::NotFound {
                    sha256: sha256.to_string(),
                });
            }
            Err(e) => return Err(io("读取", &path, e)),
        };
        verify(sha256, &bytes)?;
        Ok(bytes)
    }

    fn exists(&self, sha256: &str) -> Result<bool> {
        let path = self.path_of(sha256)?;
        match fs::metadata(&path) {
            Ok(m) => Ok(m.is_file()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io("查看", &path, e)),
        }
    }

    fn location(&self) -> String {
        format!("本地目录 {}", self.root.display())
    }
}

/// fsync a directory so that entries created or renamed in it are durable.
fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io("同步目录", dir, e))
    }
    #[cfg(not(unix))]
    {
        // Windows cannot open a directory as a file; NTFS journals renames itself.
        let _ = dir;
        Ok(())
    }
}

fn io(what: &str, path: &Path, e: std::io::Error) -> FileError {
    FileError::Storage(format!("{what} {} 失败：{e}", path.display()))
}
