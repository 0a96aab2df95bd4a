//! S3Files against a real S3-compatible server: moto's server, started by this test with signature
//! checking on (moto authenticates every request after the first `INITIAL_NO_AUTH_ACTION_COUNT`).
//!
//! The server is `$JINGZHI_MOTO_SERVER` (a path) or `moto_server` on the PATH (`.ci/run` installs it
//! with pip into a virtual environment). Without one the suite is skipped with a loud line, or fails
//! when `JINGZHI_REQUIRE_ALL_SUITES=1` (CI).

use jingzhi_files::sigv4::{Request, Signer, amz_date};
use jingzhi_files::{FileError, FileStore, S3Config, S3Files, sha256_hex};
use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SUITE: &str = "jingzhi-files s3 (moto_server)";
/// Requests that moto serves without checking signatures: the setup below (create user, create
/// access key, attach policy, create bucket). Every later request is authenticated.
const SETUP_REQUESTS: u32 = 4;

/// The wall clock: S3 refuses signatures more than 15 minutes off. (The application passes its
/// injected clock; a test against a real server needs the real time.)
#[allow(clippy::disallowed_methods)]
fn wall_clock() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

struct Moto {
    child: Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto_program() -> Option<String> {
    if let Ok(p) = std::env::var("JINGZHI_MOTO_SERVER")
        && !p.is_empty()
    {
        return Some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("moto_server"))
        .find(|p| p.is_file())
        .map(|p| p.display().to_string())
}

/// Starts moto on a free port; with `tls` (certificate, key) it speaks HTTPS.
fn start_moto(tls: Option<(&Path, &Path)>) -> Option<Moto> {
    let Some(program) = moto_program() else {
        jingzhi_testkit::skip_or_fail(
            SUITE,
            "moto_server not found (set JINGZHI_MOTO_SERVER or put it on PATH: pip install 'moto[server]')",
        );
        return None;
    };
    // Held from choosing the port until moto listens on it: the two tests of this file run at once,
    // and a port released by one `bind(0)` is free for the other's until moto takes it (both motos
    // then aimed at one port; the loser exited, and its test talked to the other's server).
    static STARTING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _starting = STARTING.lock().unwrap_or_else(|p| p.into_inner());
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut cmd = Command::new(&program);
    cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
    if let Some((cert, key)) = tls {
        cmd.arg("-s").arg("-c").arg(cert).arg("-k").arg(key);
    }
    let child = match cmd
        .env("INITIAL_NO_AUTH_ACTION_COUNT", SETUP_REQUESTS.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            jingzhi_testkit::skip_or_fail(SUITE, &format!("cannot start {program}: {e}"));
            return None;
        }
    };
    let moto = Moto {
        child,
        endpoint: format!("{}://127.0.0.1:{port}", if tls.is_some() { "https" } else { "http" }),
    };
    // Wait for the port only: an HTTP probe would use up one of the unauthenticated requests.
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{program} did not listen on {port} within 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(moto)
}

fn form_encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                jingzhi_files::sigv4::uri_encode(k, false),
                jingzhi_files::sigv4::uri_encode(v, false)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// One IAM query-API call (signed, though moto does not check it during setup: the signature's
/// scope tells moto which service is asked).
fn iam(agent: &ureq::Agent, endpoint: &str, params: &[(&str, &str)]) -> String {
    let host = endpoint.split_once("://").unwrap().1;
    let body = form_encode(params);
    let body_sha = sha256_hex(body.as_bytes());
    let now = wall_clock();
    let date = amz_date(now);
    let headers = [
        ("content-type", "application/x-www-form-urlencoded"),
        ("host", host),
        ("x-amz-date", date.as_str()),
    ];
    let auth = Signer {
        access_key: "setup",
        secret_key: "setup",
        region: "us-east-1",
        service: "iam",
    }
    .authorization(
        &Request {
            method: "POST",
            path: "/",
            query: &[],
            headers: &headers,
            payload_sha256: &body_sha,
        },
        now,
    );
    let mut req = agent.post(&format!("{endpoint}/")).set("Authorization", &auth);
    for (k, v) in headers {
        req = req.set(k, v);
    }
    match req.send_string(&body) {
        Ok(r) => r.into_string().unwrap(),
        Err(ureq::Error::Status(code, r)) => panic!("IAM {params:?}: {code} {}", r.into_string().unwrap_or_default()),
        Err(e) => panic!("IAM {params:?}: {e}"),
    }
}

fn xml_value(xml: &str, tag: &str) -> String {
    let open = format!("<{tag}>");
    let start = xml.find(&open).unwrap_or_else(|| panic!("no <{tag}> in {xml}")) + open.len();
    let end = xml[start..].find(&format!("</{tag}>")).unwrap() + start;
    xml[start..end].to_string()
}

/// A user with full S3 rights and its keys, and an empty bucket.
fn set_up(agent: &ureq::Agent, endpoint: &str, bucket: &str) -> (String, String) {
    // Listening is not yet answering: on a machine's first run moto was seen to reset the first
    // request. Its own API answers without using up one of the unauthenticated requests.
    let deadline = Instant::now() + Duration::from_secs(60);
    while agent.get(&format!("{endpoint}/moto-api/data.json")).call().is_err() {
        assert!(
            Instant::now() < deadline,
            "moto at {endpoint} did not answer within 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    iam(
        agent,
        endpoint,
        &[
            ("Action", "CreateUser"),
            ("UserName", "jingzhi"),
            ("Version", "2010-05-08"),
        ],
    );
    let keys = iam(
        agent,
        endpoint,
        &[
            ("Action", "CreateAccessKey"),
            ("UserName", "jingzhi"),
            ("Version", "2010-05-08"),
        ],
    );
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
    iam(
        agent,
        endpoint,
        &[
            ("Action", "PutUserPolicy"),
            ("PolicyDocument", policy),
            ("PolicyName", "evidence"),
            ("UserName", "jingzhi"),
            ("Version", "2010-05-08"),
        ],
    );
    let r = agent.put(&format!("{endpoint}/{bucket}")).call();
    assert!(r.is_ok(), "create bucket: {r:?}");
    (xml_value(&keys, "AccessKeyId"), xml_value(&keys, "SecretAccessKey"))
}

#[test]
fn s3_round_trip_against_a_real_server() {
    let Some(moto) = start_moto(None) else { return };
    let bucket = "jingzhi-evidence";
    let (access_key, secret_key) = set_up(&ureq::agent(), &moto.endpoint, bucket);
    let config = S3Config {
        endpoint: moto.endpoint.clone(),
        region: "us-east-1".into(),
        bucket: bucket.into(),
        access_key: access_key.clone(),
        secret_key: secret_key.clone(),
        path_style: true,
        prefix: "evidence/".into(),
        timeout_secs: 30,
        ca_file: None,
    };
    let store = S3Files::new(config.clone(), Arc::new(wall_clock)).unwrap();

    // Round trip.
    let bytes: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let sha = sha256_hex(&bytes);
    assert!(!store.exists(&sha).unwrap());
    assert!(matches!(store.get(&sha), Err(FileError::NotFound { .. })));
    let stored = store.put(&bytes).unwrap();
    assert_eq!((stored.sha256.as_str(), stored.size), (sha.as_str(), 300_000));
    assert!(store.exists(&sha).unwrap());
    assert_eq!(store.get(&sha).unwrap(), bytes);
    // Idempotent.
    assert_eq!(store.put(&bytes).unwrap(), stored);
    assert_eq!(store.get(&sha).unwrap(), bytes);
    // Small and empty objects.
    let empty = store.put(b"").unwrap();
    assert_eq!(store.get(&empty.sha256).unwrap(), b"");
    let small = store.put("现场照片".as_bytes()).unwrap();
    assert_eq!(store.get(&small.sha256).unwrap(), "现场照片".as_bytes());
    assert!(store.location().contains(bucket));

    // The object sits under prefix + ab/cd/abcd… (read back with a signed GET of that key).
    let key = format!("evidence/{}/{}/{sha}", &sha[0..2], &sha[2..4]);
    assert_eq!(store.key_of(&sha), key);

    // Tampering in the bucket: overwrite the object with other bytes under the same key (a signed
    // PUT made by hand, as someone with bucket rights could), then read.
    put_raw(&config, &key, b"forged evidence");
    match store.get(&sha) {
        Err(FileError::Tampered { sha256, actual }) => {
            assert_eq!(sha256, sha);
            assert_eq!(actual, sha256_hex(b"forged evidence"));
        }
        other => panic!("expected Tampered, got {other:?}"),
    }
    // A new put of the original repairs it.
    store.put(&bytes).unwrap();
    assert_eq!(store.get(&sha).unwrap(), bytes);
    // Also when the forgery has the same size.
    let mut same_size = bytes.clone();
    same_size[0] ^= 0xFF;
    put_raw(&config, &key, &same_size);
    assert!(matches!(store.get(&sha), Err(FileError::Tampered { .. })));
    store.put(&bytes).unwrap();
    assert_eq!(store.get(&sha).unwrap(), bytes);

    // Signatures are really checked: a wrong secret is refused.
    let wrong = S3Files::new(
        S3Config {
            secret_key: format!("{secret_key}x"),
            ..config.clone()
        },
        Arc::new(wall_clock),
    )
    .unwrap();
    let err = wrong.get(&sha).unwrap_err();
    assert!(
        matches!(&err, FileError::Storage(m) if m.contains("403")),
        "a bad signature must be refused: {err:?}"
    );
    // (Real S3 also refuses a clock more than 15 minutes off; moto does not check that.)
    // A missing bucket is an error, not "not found".
    let nobucket = S3Files::new(
        S3Config {
            bucket: "no-such-bucket".into(),
            ..config.clone()
        },
        Arc::new(wall_clock),
    )
    .unwrap();
    assert!(matches!(nobucket.put(b"x"), Err(FileError::Storage(_))));
}

/// A signed PUT of arbitrary bytes under `key`, bypassing S3Files.
fn put_raw(config: &S3Config, key: &str, body: &[u8]) {
    let host = config.endpoint.split_once("://").unwrap().1;
    let path = format!("/{}/{key}", config.bucket);
    let body_sha = sha256_hex(body);
    let now = wall_clock();
    let date = amz_date(now);
    let headers = [
        ("host", host),
        ("x-amz-content-sha256", body_sha.as_str()),
        ("x-amz-date", date.as_str()),
    ];
    let auth = Signer {
        access_key: &config.access_key,
        secret_key: &config.secret_key,
        region: &config.region,
        service: "s3",
    }
    .authorization(
        &Request {
            method: "PUT",
            path: &path,
            query: &[],
            headers: &headers,
            payload_sha256: &body_sha,
        },
        now,
    );
    let mut req = config
        .agent()
        .unwrap()
        .put(&format!("{}{path}", config.endpoint))
        .set("Authorization", &auth);
    for (k, v) in headers {
        req = req.set(k, v);
    }
    let mut text = String::new();
    match req.send_bytes(body) {
        Ok(_) => {}
        Err(ureq::Error::Status(code, r)) => {
            let _ = r.into_reader().read_to_string(&mut text);
            panic!("raw PUT: {code} {text}");
        }
        Err(e) => panic!("raw PUT: {e}"),
    }
}

/// A private CA and a certificate it issued for 127.0.0.1, made with the `openssl` command.
fn private_pki(dir: &Path) -> Option<(PathBuf, PathBuf, PathBuf)> {
    let run = |args: &[&str]| -> bool {
        Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    std::fs::write(
        dir.join("leaf.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    let ok = run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=Jingzhi Test CA",
    ]) && run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "key.pem",
        "-out",
        "leaf.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]) && run(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "cert.pem",
        "-days",
        "2",
        "-extfile",
        "leaf.ext",
    ]);
    if !ok {
        jingzhi_testkit::skip_or_fail(SUITE, "the openssl command could not make a test certificate");
        return None;
    }
    Some((dir.join("ca.pem"), dir.join("cert.pem"), dir.join("key.pem")))
}

#[test]
fn s3_over_https_trusting_a_private_ca() {
    let dir = std::env::temp_dir().join(format!("jz-s3-tls-{}", jingzhi_testkit::random_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    let Some((ca, cert, key)) = private_pki(&dir) else {
        return;
    };
    let Some(moto) = start_moto(Some((&cert, &key))) else {
        return;
    };
    assert!(moto.endpoint.starts_with("https://"));
    let config = S3Config {
        endpoint: moto.endpoint.clone(),
        bucket: "jingzhi-tls".into(),
        access_key: "x".into(),
        secret_key: "x".into(),
        timeout_secs: 30,
        ca_file: Some(ca.clone()),
        ..S3Config::default()
    };
    let (access_key, secret_key) = set_up(&config.agent().unwrap(), &moto.endpoint, "jingzhi-tls");
    let config = S3Config {
        access_key,
        secret_key,
        ..config
    };
    let store = S3Files::new(config.clone(), Arc::new(wall_clock)).unwrap();
    let bytes = b"%PDF-1.7 encrypted in transit".to_vec();
    let stored = store.put(&bytes).unwrap();
    assert_eq!(store.get(&stored.sha256).unwrap(), bytes);
    assert!(store.exists(&stored.sha256).unwrap());

    // Without the private CA the server's certificate is not trusted: nothing is sent.
    let public_roots = S3Files::new(
        S3Config {
            ca_file: None,
            ..config.clone()
        },
        Arc::new(wall_clock),
    )
    .unwrap();
    let err = public_roots.get(&stored.sha256).unwrap_err();
    assert!(
        matches!(&err, FileError::Storage(m) if m.contains("无法访问 S3 端点")),
        "an unknown issuer must be refused: {err:?}"
    );
    // A CA file without certificates is refused when the store is built.
    std::fs::write(dir.join("empty.pem"), "no certificates here\n").unwrap();
    let empty = S3Files::new(
        S3Config {
            ca_file: Some(dir.join("empty.pem")),
            ..config
        },
        Arc::new(wall_clock),
    );
    assert!(empty.unwrap_err().contains("没有证书"));
    drop(moto);
    let _ = std::fs::remove_dir_all(&dir);
}
