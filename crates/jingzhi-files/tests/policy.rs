//! FilePolicy: types sniffed from the bytes, mismatches and disallowed kinds refused with Chinese
//! messages, size limits.

use jingzhi_files::policy::{self, DEFAULT_MAX_BYTES};
use jingzhi_files::{FileKind, FilePolicy, PolicyError, sniff};

fn with_tail(head: &[u8]) -> Vec<u8> {
    let mut v = head.to_vec();
    v.extend_from_slice(&[0u8; 64]);
    v
}

fn jpeg() -> Vec<u8> {
    with_tail(&[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F'])
}

fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
    let size = 16 + 4 * compatible.len();
    let mut v = (size as u32).to_be_bytes().to_vec();
    v.extend_from_slice(b"ftyp");
    v.extend_from_slice(major);
    v.extend_from_slice(&[0, 0, 0, 0]);
    for c in compatible {
        v.extend_from_slice(*c);
    }
    with_tail(&v)
}

/// A minimal stored ZIP archive with these entry names (central directory included).
fn zip(names: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for name in names {
        let offset = out.len() as u32;
        let data = b"<x/>";
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // version, flags, method, time, date
        out.extend_from_slice(&[0, 0, 0, 0]); // crc (not checked)
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);

        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // made by, needed, flags, method, time, date
        central.extend_from_slice(&[0, 0, 0, 0]);
        central.extend_from_slice(&(data.len() as u32).to_le_bytes());
        central.extend_from_slice(&(data.len() as u32).to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 12]); // extra, comment, disk, internal and external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&(names.len() as u16).to_le_bytes());
    out.extend_from_slice(&(names.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

#[test]
fn types_are_read_from_the_first_bytes() {
    assert_eq!(sniff(&jpeg()), Some(policy::JPEG));
    assert_eq!(sniff(&with_tail(b"\x89PNG\r\n\x1a\n")), Some(policy::PNG));
    assert_eq!(sniff(&with_tail(b"RIFF\x10\x00\x00\x00WEBPVP8 ")), Some(policy::WEBP));
    assert_eq!(sniff(&with_tail(b"RIFF\x10\x00\x00\x00WAVEfmt ")), Some(policy::WAV));
    assert_eq!(sniff(&with_tail(b"RIFF\x10\x00\x00\x00AVI LIST")), None);
    assert_eq!(sniff(&ftyp(b"heic", &[b"mif1", b"heic"])), Some(policy::HEIC));
    assert_eq!(sniff(&ftyp(b"mif1", &[b"heic"])), Some(policy::HEIC));
    assert_eq!(sniff(&ftyp(b"isom", &[b"isom", b"avc1"])), Some(policy::MP4));
    assert_eq!(sniff(&ftyp(b"mp42", &[])), Some(policy::MP4));
    assert_eq!(sniff(&ftyp(b"qt  ", &[b"qt  "])), Some(policy::QUICKTIME));
    assert_eq!(sniff(&ftyp(b"M4A ", &[b"M4A ", b"mp42"])), Some(policy::M4A));
    assert_eq!(
        sniff(&ftyp(b"xxxx", &[b"mp41"])),
        Some(policy::MP4),
        "compatible brand when major unknown"
    );
    assert_eq!(sniff(&ftyp(b"xxxx", &[b"yyyy"])), None);
    assert_eq!(sniff(&with_tail(b"ID3\x04\x00")), Some(policy::MPEG_AUDIO));
    assert_eq!(sniff(&with_tail(&[0xFF, 0xFB, 0x90, 0x00])), Some(policy::MPEG_AUDIO));
    assert_eq!(sniff(&with_tail(&[0xFF, 0xF1, 0x50, 0x80])), Some(policy::AAC));
    assert_eq!(sniff(&with_tail(b"#!AMR\n")), Some(policy::AMR));
    assert_eq!(sniff(&with_tail(b"#!AMR-WB\n")), Some(policy::AMR));
    assert_eq!(sniff(&with_tail(b"%PDF-1.7\n")), Some(policy::PDF));
    assert_eq!(
        sniff(&with_tail(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])),
        Some(policy::OLE)
    );
    assert_eq!(
        sniff(&zip(&["[Content_Types].xml", "_rels/.rels", "word/document.xml"])),
        Some(policy::DOCX)
    );
    assert_eq!(
        sniff(&zip(&["[Content_Types].xml", "xl/workbook.xml"])),
        Some(policy::XLSX)
    );
    assert_eq!(
        sniff(&zip(&["[Content_Types].xml", "ppt/presentation.xml"])),
        Some(policy::PPTX)
    );
    assert_eq!(
        sniff(&zip(&["word/document.xml"])),
        Some(policy::ZIP),
        "no content types: plain zip"
    );
    assert_eq!(sniff(&zip(&["photo.jpg"])), Some(policy::ZIP));
    // A truncated archive (no central directory) is read from its local headers.
    let docx = zip(&["[Content_Types].xml", "word/document.xml"]);
    assert_eq!(sniff(&docx[..docx.len() - 60]), Some(policy::DOCX));
    assert_eq!(sniff(b"just some text"), None);
    assert_eq!(sniff(b""), None);
    assert_eq!(sniff(&[0xFF]), None);
}

#[test]
fn accepted_files_carry_the_detected_type() {
    let p = FilePolicy::default();
    let ok = p.check(Some(FileKind::Photo), Some("image/jpeg"), &jpeg()).unwrap();
    assert_eq!((ok.kind, ok.content_type), (FileKind::Photo, policy::JPEG));
    // Aliases, parameters, case and "no claim" are all fine.
    for declared in [
        Some("image/jpg"),
        Some("IMAGE/JPEG; charset=binary"),
        Some("application/octet-stream"),
        None,
        Some(""),
    ] {
        assert_eq!(
            p.check(Some(FileKind::Photo), declared, &jpeg()).unwrap().content_type,
            policy::JPEG,
            "{declared:?}"
        );
    }
    // The kind is inferred when not given.
    let audio = p.check(None, Some("audio/x-m4a"), &ftyp(b"M4A ", &[])).unwrap();
    assert_eq!((audio.kind, audio.content_type), (FileKind::Audio, policy::M4A));
    // An MP4 container may be declared audio or video whatever its brand.
    let m4a_as_mp42 = p.check(None, Some("audio/mp4"), &ftyp(b"mp42", &[b"M4A "])).unwrap();
    assert_eq!(
        (m4a_as_mp42.kind, m4a_as_mp42.content_type),
        (FileKind::Audio, policy::M4A)
    );
    assert_eq!(
        p.check(None, Some("video/mp4"), &ftyp(b"M4A ", &[])).unwrap().kind,
        FileKind::Video
    );
    assert!(matches!(
        p.check(None, Some("video/quicktime"), &ftyp(b"mp42", &[])),
        Err(PolicyError::Mismatch { .. })
    ));
    let video = p.check(None, None, &ftyp(b"qt  ", &[])).unwrap();
    assert_eq!(video.kind, FileKind::Video);
    let xlsx = p
        .check(
            Some(FileKind::Document),
            None,
            &zip(&["[Content_Types].xml", "xl/workbook.xml"]),
        )
        .unwrap();
    assert_eq!(xlsx.content_type, policy::XLSX);
    // Legacy Office: the declared type decides between .doc and .xls.
    let ole = with_tail(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    assert_eq!(
        p.check(None, Some("application/vnd.ms-excel"), &ole)
            .unwrap()
            .content_type,
        policy::XLS
    );
    assert_eq!(p.check(None, None, &ole).unwrap().content_type, policy::DOC);
    assert!(matches!(
        p.check(None, Some("image/png"), &ole),
        Err(PolicyError::Mismatch { .. })
    ));
}

#[test]
fn a_file_whose_content_disagrees_with_its_declared_type_is_refused() {
    let p = FilePolicy::default();
    let err = p.check(Some(FileKind::Photo), Some("image/png"), &jpeg()).unwrap_err();
    assert_eq!(
        err,
        PolicyError::Mismatch {
            declared: "image/png".into(),
            detected: policy::JPEG.into()
        }
    );
    assert!(err.to_string().contains("文件内容与声明的类型不符"), "{err}");
    // An executable renamed to .pdf.
    let exe = with_tail(b"\x7fELF\x02\x01\x01");
    let err = p
        .check(Some(FileKind::Document), Some("application/pdf"), &exe)
        .unwrap_err();
    assert!(matches!(err, PolicyError::Unrecognised { .. }), "{err:?}");
    assert!(err.to_string().contains("无法识别的文件类型"), "{err}");
    assert!(err.to_string().contains("PDF"), "lists what is allowed: {err}");
    // A declared type this crate does not know cannot match anything.
    assert!(matches!(
        p.check(Some(FileKind::Photo), Some("image/gif"), &jpeg()),
        Err(PolicyError::Mismatch { .. })
    ));
}

#[test]
fn each_kind_takes_only_its_own_types() {
    let p = FilePolicy::default();
    let pdf = with_tail(b"%PDF-1.4");
    let err = p
        .check(Some(FileKind::Photo), Some("application/pdf"), &pdf)
        .unwrap_err();
    assert!(
        matches!(
            &err,
            PolicyError::NotAllowed {
                kind: FileKind::Photo,
                ..
            }
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.starts_with("照片不接受 application/pdf"), "{text}");
    assert!(text.contains("JPEG、PNG、HEIC、WebP"), "{text}");
    assert!(p.check(Some(FileKind::Audio), None, &ftyp(b"mp42", &[])).is_err());
    assert!(p.check(Some(FileKind::Video), None, &ftyp(b"mp42", &[])).is_ok());
    // A plain ZIP and a PowerPoint are not evidence types by default.
    assert!(matches!(
        p.check(None, None, &zip(&["a.txt"])),
        Err(PolicyError::Unrecognised { .. })
    ));
    assert!(matches!(
        p.check(
            Some(FileKind::Document),
            None,
            &zip(&["[Content_Types].xml", "ppt/slides/slide1.xml"])
        ),
        Err(PolicyError::NotAllowed { .. })
    ));

    // Configurable: documents may take scanned photos and slides.
    let scans = FilePolicy::default().with_allowed(FileKind::Document, &["application/pdf", "image/jpg", PPTX_ALIAS]);
    assert_eq!(
        scans.allowed(FileKind::Document),
        &[policy::PDF, policy::JPEG, policy::PPTX]
    );
    assert_eq!(
        scans
            .check(Some(FileKind::Document), None, &jpeg())
            .unwrap()
            .content_type,
        policy::JPEG
    );
    assert!(
        scans
            .check(
                Some(FileKind::Document),
                None,
                &zip(&["[Content_Types].xml", "word/x.xml"])
            )
            .is_err()
    );
}

const PPTX_ALIAS: &str = policy::PPTX;

#[test]
fn size_limits() {
    let p = FilePolicy::default();
    assert_eq!(p.max_bytes(), DEFAULT_MAX_BYTES);
    assert_eq!(DEFAULT_MAX_BYTES, 50 * 1024 * 1024);
    let mut big = jpeg();
    big.resize(DEFAULT_MAX_BYTES as usize, 0);
    assert!(
        p.check(Some(FileKind::Photo), None, &big).is_ok(),
        "exactly the limit is fine"
    );
    big.push(0);
    let err = p.check(Some(FileKind::Photo), None, &big).unwrap_err();
    assert_eq!(
        err,
        PolicyError::TooLarge {
            size: DEFAULT_MAX_BYTES + 1,
            max: DEFAULT_MAX_BYTES
        }
    );
    assert!(err.to_string().contains("文件过大"), "{err}");
    assert!(err.to_string().contains("上限 50.0 MB"), "{err}");

    let small = FilePolicy::default().with_max_bytes(1000);
    let err = small.check(Some(FileKind::Photo), None, &vec![0xFF; 2000]).unwrap_err();
    assert!(err.to_string().contains("上限 1000 字节"), "{err}");
    assert_eq!(small.check(None, None, b"").unwrap_err(), PolicyError::Empty);
    assert_eq!(PolicyError::Empty.to_string(), "文件为空");
}

#[test]
fn kinds_have_codes_and_chinese_labels() {
    for k in FileKind::ALL {
        assert_eq!(FileKind::from_code(k.code()), Some(k));
        assert!(!k.label().is_ascii());
    }
    assert_eq!(FileKind::from_code("picture"), None);
    assert_eq!(FileKind::Audio.to_string(), "录音");
}
