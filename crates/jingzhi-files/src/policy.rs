//! Upload limits: a maximum size and the content types allowed for each kind of file, with the type
//! read from the file's own first bytes ("magic bytes") so that a file renamed or mislabelled by the
//! client is refused.

use std::collections::BTreeMap;
use std::fmt;

/// The kind of an evidence file, as the person uploading it chose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileKind {
    Photo,
    Video,
    Audio,
    Document,
}

impl FileKind {
    pub const ALL: [FileKind; 4] = [FileKind::Photo, FileKind::Video, FileKind::Audio, FileKind::Document];

    pub fn code(self) -> &'static str {
        match self {
            FileKind::Photo => "photo",
            FileKind::Video => "video",
            FileKind::Audio => "audio",
            FileKind::Document => "document",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FileKind::Photo => "照片",
            FileKind::Video => "视频",
            FileKind::Audio => "录音",
            FileKind::Document => "文档",
        }
    }

    pub fn from_code(code: &str) -> Option<FileKind> {
        FileKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

pub const JPEG: &str = "image/jpeg";
pub const PNG: &str = "image/png";
pub const HEIC: &str = "image/heic";
pub const WEBP: &str = "image/webp";
pub const MP4: &str = "video/mp4";
pub const QUICKTIME: &str = "video/quicktime";
pub const MPEG_AUDIO: &str = "audio/mpeg";
pub const AAC: &str = "audio/aac";
pub const WAV: &str = "audio/wav";
pub const AMR: &str = "audio/amr";
/// `.m4a`
pub const M4A: &str = "audio/mp4";
pub const PDF: &str = "application/pdf";
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const PPTX: &str = "application/vnd.openxmlformats-officedocument.presentationml.presentation";
pub const DOC: &str = "application/msword";
pub const XLS: &str = "application/vnd.ms-excel";
/// A ZIP archive that is not an Office document.
pub const ZIP: &str = "application/zip";
/// An OLE compound file (legacy `.doc`, `.xls`): the bytes cannot tell which.
pub const OLE: &str = "application/x-ole-storage";

/// The default maximum size of one evidence file: 50 MB.
pub const DEFAULT_MAX_BYTES: u64 = 50 * 1024 * 1024;

/// Why an upload was refused. Messages are Chinese (shown to the person uploading).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("文件为空")]
    Empty,
    #[error("文件过大：{}，上限 {}", size_text(*.size), size_text(*.max))]
    TooLarge { size: u64, max: u64 },
    #[error("无法识别的文件类型（可上传：{allowed}）")]
    Unrecognised { allowed: String },
    #[error("文件内容与声明的类型不符：声明为 {declared}，实际为 {detected}")]
    Mismatch { declared: String, detected: String },
    #[error("{kind}不接受 {content_type} 类型的文件（可上传：{allowed}）")]
    NotAllowed {
        kind: FileKind,
        content_type: String,
        allowed: String,
    },
}

fn size_text(n: u64) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MB", n as f64 / (1024.0 * 1024.0))
    } else if n >= 1024 {
        format!("{:.1} KB", n as f64 / 1024.0)
    } else {
        format!("{n} 字节")
    }
}

/// What [`FilePolicy::check`] accepted: the kind and the content type read from the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accepted {
    pub kind: FileKind,
    pub content_type: &'static str,
}

/// Size and type limits for uploads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilePolicy {
    max_bytes: u64,
    allowed: BTreeMap<FileKind, Vec<&'static str>>,
}

impl Default for FilePolicy {
    /// Evidence defaults: 50 MB; photos JPEG/PNG/HEIC/WebP, video MP4/QuickTime, audio
    /// MP3/AAC/WAV/AMR/M4A, documents PDF/DOCX/XLSX/DOC/XLS.
    fn default() -> Self {
        FilePolicy {
            max_bytes: DEFAULT_MAX_BYTES,
            allowed: BTreeMap::from([
                (FileKind::Photo, vec![JPEG, PNG, HEIC, WEBP]),
                (FileKind::Video, vec![MP4, QUICKTIME]),
                (FileKind::Audio, vec![MPEG_AUDIO, AAC, WAV, AMR, M4A]),
                (FileKind::Document, vec![PDF, DOCX, XLSX, DOC, XLS]),
            ]),
        }
    }
}

impl FilePolicy {
    /// The evidence defaults (same as `Default`).
    pub fn evidence() -> FilePolicy {
        FilePolicy::default()
    }

    pub fn with_max_bytes(mut self, max_bytes: u64) -> FilePolicy {
        self.max_bytes = max_bytes;
        self
    }

    /// Replaces the content types allowed for `kind`. Types are given in any accepted spelling
    /// (`image/jpg`, `audio/x-m4a`…); unknown types are ignored (they could never be detected).
    pub fn with_allowed(mut self, kind: FileKind, types: &[&str]) -> FilePolicy {
        let list: Vec<&'static str> = types.iter().filter_map(|t| canonical(t)).collect();
        self.allowed.insert(kind, list);
        self
    }

    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    pub fn allowed(&self, kind: FileKind) -> &[&'static str] {
        self.allowed.get(&kind).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Checks an upload. `kind` is what the uploader chose (None: inferred from the content);
    /// `declared` is the content type the client sent (None, empty or `application/octet-stream`:
    /// no claim). The content type is always the one read from the bytes, and a declared type that
    /// disagrees with it is refused.
    pub fn check(&self, kind: Option<FileKind>, declared: Option<&str>, bytes: &[u8]) -> Result<Accepted, PolicyError> {
        if bytes.is_empty() {
            return Err(PolicyError::Empty);
        }
        if bytes.len() as u64 > self.max_bytes {
            return Err(PolicyError::TooLarge {
                size: bytes.len() as u64,
                max: self.max_bytes,
            });
        }
        let allowed_text = |k: Option<FileKind>| -> String {
            let kinds: Vec<FileKind> = match k {
                Some(k) => vec![k],
                None => FileKind::ALL.to_vec(),
            };
            let mut names: Vec<&str> = Vec::new();
            for k in kinds {
                for t in self.allowed(k) {
                    let n = short_name(t);
                    if !names.contains(&n) {
                        names.push(n);
                    }
                }
            }
            names.join("、")
        };
        let Some(sniffed) = sniff(bytes) else {
            return Err(PolicyError::Unrecognised {
                allowed: allowed_text(kind),
            });
        };
        let declared = declared
            .map(|d| d.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
            .filter(|d| !d.is_empty() && d != "application/octet-stream");
        // The legacy Office container cannot say whether it is a document or a workbook: the
        // declared type decides, else it counts as a Word document.
        let claimed = declared.as_deref().and_then(canonical);
        let detected: &'static str = match (sniffed, claimed) {
            (OLE, Some(XLS)) => XLS,
            (OLE, _) => DOC,
            // One MP4 container holds audio or video; the brand does not reliably say which (an
            // `.m4a` may carry the `mp42` brand), so a claim of either is believed.
            (MP4 | M4A, Some(c @ (MP4 | M4A))) => c,
            _ => sniffed,
        };
        if let Some(d) = &declared
            && canonical(d) != Some(detected)
        {
            return Err(PolicyError::Mismatch {
                declared: d.clone(),
                detected: detected.to_string(),
            });
        }
        let kind = match kind {
            Some(k) => k,
            None => FileKind::ALL
                .into_iter()
                .find(|k| self.allowed(*k).contains(&detected))
                .ok_or_else(|| PolicyError::Unrecognised {
                    allowed: allowed_text(None),
                })?,
        };
        if !self.allowed(kind).contains(&detected) {
            return Err(PolicyError::NotAllowed {
                kind,
                content_type: detected.to_string(),
                allowed: allowed_text(Some(kind)),
            });
        }
        Ok(Accepted {
            kind,
            content_type: detected,
        })
    }
}

/// A short name for messages (`JPEG`, `PDF`…).
fn short_name(content_type: &str) -> &'static str {
    match content_type {
        JPEG => "JPEG",
        PNG => "PNG",
        HEIC => "HEIC",
        WEBP => "WebP",
        MP4 => "MP4",
        QUICKTIME => "MOV",
        MPEG_AUDIO => "MP3",
        AAC => "AAC",
        WAV => "WAV",
        AMR => "AMR",
        M4A => "M4A",
        PDF => "PDF",
        DOCX => "DOCX",
        XLSX => "XLSX",
        PPTX => "PPTX",
        DOC => "DOC",
        XLS => "XLS",
        ZIP => "ZIP",
        _ => "其他",
    }
}

/// The canonical spelling of a content type, or None when this crate cannot detect it.
pub fn canonical(content_type: &str) -> Option<&'static str> {
    let t = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    Some(match t.as_str() {
        "image/jpeg" | "image/jpg" | "image/pjpeg" => JPEG,
        "image/png" => PNG,
        "image/heic" | "image/heif" | "image/heic-sequence" | "image/heif-sequence" => HEIC,
        "image/webp" => WEBP,
        "video/mp4" => MP4,
        "video/quicktime" => QUICKTIME,
        "audio/mpeg" | "audio/mp3" | "audio/mpeg3" | "audio/x-mpeg" => MPEG_AUDIO,
        "audio/aac" | "audio/x-aac" | "audio/aacp" => AAC,
        "audio/wav" | "audio/x-wav" | "audio/wave" | "audio/vnd.wave" => WAV,
        "audio/amr" | "audio/amr-wb" => AMR,
        "audio/mp4" | "audio/m4a" | "audio/x-m4a" => M4A,
        "application/pdf" | "application/x-pdf" => PDF,
        DOCX => DOCX,
        XLSX => XLSX,
        PPTX => PPTX,
        "application/msword" => DOC,
        "application/vnd.ms-excel" => XLS,
        "application/zip" | "application/x-zip-compressed" => ZIP,
        _ => return None,
    })
}

/// The content type read from a file's first bytes, or None when it is none of the known types.
/// ZIP files are looked into: an Office Open XML file is told apart by its part names.
pub fn sniff(b: &[u8]) -> Option<&'static str> {
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(JPEG);
    }
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(PNG);
    }
    if b.len() >= 12 && &b[0..4] == b"RIFF" {
        return match &b[8..12] {
            b"WEBP" => Some(WEBP),
            b"WAVE" => Some(WAV),
            _ => None,
        };
    }
    if b.len() >= 12 && &b[4..8] == b"ftyp" {
        return sniff_iso_bmff(b);
    }
    if b.starts_with(b"%PDF-") {
        return Some(PDF);
    }
    if b.starts_with(b"#!AMR") {
        return Some(AMR);
    }
    if b.starts_with(b"ID3") {
        return Some(MPEG_AUDIO);
    }
    if b.len() >= 2 && b[0] == 0xFF {
        // ADTS (AAC): 12-bit sync, layer bits 00. MPEG audio (MP3): 11-bit sync, layer not 00.
        if b[1] & 0xF6 == 0xF0 {
            return Some(AAC);
        }
        if b[1] & 0xE0 == 0xE0 && (b[1] >> 1) & 0x03 != 0 {
            return Some(MPEG_AUDIO);
        }
    }
    if b.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Some(OLE);
    }
    if b.starts_with(b"PK\x03\x04") {
        return Some(sniff_zip(b));
    }
    None
}

/// ISO base media files (MP4, QuickTime, HEIC, M4A) by their major brand, else the first known
/// compatible brand.
fn sniff_iso_bmff(b: &[u8]) -> Option<&'static str> {
    let brand_type = |brand: &[u8]| -> Option<&'static str> {
        match brand {
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1" => Some(HEIC),
            b"qt  " => Some(QUICKTIME),
            b"M4A " | b"M4B " => Some(M4A),
            b"isom" | b"iso2" | b"iso4" | b"iso5" | b"iso6" | b"mp41" | b"mp42" | b"avc1" | b"M4V " | b"MSNV"
            | b"dash" | b"mmp4" | b"f4v " => Some(MP4),
            _ => None,
        }
    };
    let box_size = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
    let end = box_size.clamp(12, b.len());
    brand_type(&b[8..12]).or_else(|| b.get(16..end).unwrap_or(&[]).chunks_exact(4).find_map(brand_type))
}

/// Tells Office Open XML documents from other ZIP files by the names in the central directory
/// (`word/…`, `xl/…`, `ppt/…`), falling back to the local headers when there is no readable
/// central directory (a truncated file).
fn sniff_zip(b: &[u8]) -> &'static str {
    let mut names: Vec<&[u8]> = Vec::new();
    if let Some(eocd) = find_eocd(b) {
        let count = u16::from_le_bytes([b[eocd + 10], b[eocd + 11]]) as usize;
        let mut at = u32::from_le_bytes([b[eocd + 16], b[eocd + 17], b[eocd + 18], b[eocd + 19]]) as usize;
        for _ in 0..count {
            if at + 46 > b.len() || &b[at..at + 4] != b"PK\x01\x02" {
                break;
            }
            let name_len = u16::from_le_bytes([b[at + 28], b[at + 29]]) as usize;
            let extra_len = u16::from_le_bytes([b[at + 30], b[at + 31]]) as usize;
            let comment_len = u16::from_le_bytes([b[at + 32], b[at + 33]]) as usize;
            let Some(name) = b.get(at + 46..at + 46 + name_len) else {
                break;
            };
            names.push(name);
            at += 46 + name_len + extra_len + comment_len;
        }
    }
    if names.is_empty() {
        let mut at = 0;
        while at + 30 <= b.len() && &b[at..at + 4] == b"PK\x03\x04" {
            let size = u32::from_le_bytes([b[at + 18], b[at + 19], b[at + 20], b[at + 21]]) as usize;
            let name_len = u16::from_le_bytes([b[at + 26], b[at + 27]]) as usize;
            let extra_len = u16::from_le_bytes([b[at + 28], b[at + 29]]) as usize;
            let Some(name) = b.get(at + 30..at + 30 + name_len) else {
                break;
            };
            names.push(name);
            at += 30 + name_len + extra_len + size;
        }
    }
    let has_types = names.iter().any(|n| *n == b"[Content_Types].xml");
    if has_types {
        for n in &names {
            if n.starts_with(b"word/") {
                return DOCX;
            }
            if n.starts_with(b"xl/") {
                return XLSX;
            }
            if n.starts_with(b"ppt/") {
                return PPTX;
            }
        }
    }
    ZIP
}

/// The end-of-central-directory record: within the last 64 KiB + 22 bytes.
fn find_eocd(b: &[u8]) -> Option<usize> {
    if b.len() < 22 {
        return None;
    }
    let lowest = b.len().saturating_sub(22 + 65_535);
    (lowest..=b.len() - 22).rev().find(|&i| &b[i..i + 4] == b"PK\x05\x06")
}
