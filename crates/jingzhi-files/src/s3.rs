//! Files in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, and the clouds' S3 interfaces), each
//! object named `PREFIX` + `ab/cd/abcdef…` and every request signed with AWS Signature V4.
//!
//! `put` uploads with `x-amz-content-sha256`, which S3 checks against the body, so a damaged upload
//! is refused by the server; uploading the same bytes again rewrites the same object (idempotent, and
//! it repairs an object altered in the bucket). `get` verifies the hash of what comes back.
//!
//! The endpoint is `https://` (rustls, through ureq's `tls` feature; Mozilla's root certificates, or
//! only those of `ca_file` for a private PKI) or `http://` (an object store on a private network).

use crate::sigv4::{EMPTY_SHA256, Request, Signer, amz_date};
use crate::{FileError, FileStore, Result, StoredFile, check_sha256, sha256_hex, shard_path, verify};
use jiff::Timestamp;
use std::fmt;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Where and how to reach the bucket.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Config {
    /// `https://host[:port]` or `http://host[:port]`, without the bucket (e.g.
    /// `https://minio.internal:9000`).
    pub endpoint: String,
    /// The signing region (`us-east-1` for MinIO unless configured otherwise).
    pub region: String,
    pub bucket: String,
    pub access_key: String,
    pub secret_key: String,
    /// `http://endpoint/bucket/key` (path style, MinIO's default) rather than
    /// `http://bucket.endpoint/key` (virtual-hosted style).
    pub path_style: bool,
    /// Prepended to every object key, e.g. `evidence/` (may be empty).
    pub prefix: String,
    /// Timeout of one request, in seconds.
    pub timeout_secs: u64,
    /// HTTPS only: trust only the CA certificates in this PEM file (a private PKI) instead of the
    /// usual public roots.
    pub ca_file: Option<PathBuf>,
}

impl Default for S3Config {
    fn default() -> Self {
        S3Config {
            endpoint: String::new(),
            region: "us-east-1".into(),
            bucket: String::new(),
            access_key: String::new(),
            secret_key: String::new(),
            path_style: true,
            prefix: String::new(),
            timeout_secs: 120,
            ca_file: None,
        }
    }
}

impl fmt::Debug for S3Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("bucket", &self.bucket)
            .field("access_key", &self.access_key)
            .field("secret_key", &"***")
            .field("path_style", &self.path_style)
            .field("prefix", &self.prefix)
            .field("timeout_secs", &self.timeout_secs)
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

impl S3Config {
    /// Checks the settings; the message is Chinese, for the operator.
    pub fn validate(&self) -> std::result::Result<(), String> {
        let Some((scheme, host)) = self.scheme_and_host() else {
            return Err(format!(
                "S3 端点须为 https://主机[:端口] 或 http://主机[:端口]，现为 `{}`",
                self.endpoint
            ));
        };
        if host.is_empty() || host.contains('/') || host.contains('@') {
            return Err(format!(
                "S3 端点须为 https://主机[:端口] 或 http://主机[:端口]（不含路径），现为 `{}`",
                self.endpoint
            ));
        }
        if self.ca_file.is_some() && scheme != "https" {
            return Err("S3 CA 证书文件（ca_file）只用于 https:// 端点".into());
        }
        let bucket_ok = (3..=63).contains(&self.bucket.len())
            && self
                .bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if !bucket_ok {
            return Err(format!(
                "S3 存储桶名须为 3–63 个小写字母、数字、`-` 或 `.`，现为 `{}`",
                self.bucket
            ));
        }
        if self.region.is_empty() {
            return Err("S3 区域（region）不能为空".into());
        }
        if self.access_key.is_empty() || self.secret_key.is_empty() {
            return Err("S3 访问密钥（access_key、secret_key）不能为空".into());
        }
        if self.prefix.starts_with('/') {
            return Err("S3 键前缀（prefix）不能以 / 开头".into());
        }
        if self.timeout_secs == 0 {
            return Err("S3 请求超时（timeout_secs）须大于 0".into());
        }
        Ok(())
    }

    /// The endpoint's scheme (`https` or `http`) and `host[:port]`.
    fn scheme_and_host(&self) -> Option<(&'static str, &str)> {
        let (scheme, rest) = if let Some(rest) = self.endpoint.strip_prefix("https://") {
            ("https", rest)
        } else {
            ("http", self.endpoint.strip_prefix("http://")?)
        };
        Some((scheme, rest.trim_end_matches('/')))
    }

    /// The HTTP client for these settings: timeouts, and with `ca_file` a TLS configuration that
    /// trusts only its certificates.
    pub fn agent(&self) -> std::result::Result<ureq::Agent, String> {
        let mut builder = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(10))
            .timeout(Duration::from_secs(self.timeout_secs));
        if let Some(path) = &self.ca_file {
            use rustls::pki_types::CertificateDer;
            use rustls::pki_types::pem::PemObject;
            let unreadable = |e: &dyn fmt::Display| format!("无法读取 S3 CA 证书文件 {}：{e}", path.display());
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_file_iter(path).map_err(|e| unreadable(&e))? {
                let cert = cert.map_err(|e| unreadable(&e))?;
                roots.add(cert).map_err(|e| unreadable(&e))?;
            }
            if roots.is_empty() {
                return Err(format!("S3 CA 证书文件 {} 中没有证书", path.display()));
            }
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let tls = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|e| format!("TLS 配置失败：{e}"))?
                .with_root_certificates(roots)
                .with_no_client_auth();
            builder = builder.tls_config(Arc::new(tls));
        }
        Ok(builder.build())
    }
}

/// The wall clock for request signatures (S3 refuses signatures more than 15 minutes off).
pub type Now = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// An S3-compatible bucket of content-addressed files.
pub struct S3Files {
    config: S3Config,
    agent: ureq::Agent,
    now: Now,
}

impl fmt::Debug for S3Files {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Files").field("config", &self.config).finish()
    }
}

/// The largest object `get` will read (a guard against a wrong endpoint streaming forever).
const MAX_GET_BYTES: u64 = 4 * 1024 * 1024 * 1024;

impl S3Files {
    /// A client for the bucket. `now` gives the signing time (the application's clock). Nothing
    /// is sent until the first call.
    pub fn new(config: S3Config, now: Now) -> std::result::Result<S3Files, String> {
        config.validate()?;
        let agent = config.agent()?;
        Ok(S3Files { config, agent, now })
    }

    pub fn config(&self) -> &S3Config {
        &self.config
    }

    /// The object key of a file: prefix + `ab/cd/abcdef…`.
    pub fn key_of(&self, sha256: &str) -> String {
        format!("{}{}", self.config.prefix, shard_path(sha256))
    }

    /// The `Host` header and the unencoded path of an object (path style or virtual-hosted).
    pub fn host_and_path(&self, key: &str) -> (String, String) {
        let (_, host) = self.config.scheme_and_host().expect("validated endpoint");
        if self.config.path_style {
            (host.to_string(), format!("/{}/{key}", self.config.bucket))
        } else {
            (format!("{}.{host}", self.config.bucket), format!("/{key}"))
        }
    }

    fn signer(&self) -> Signer<'_> {
        Signer {
            access_key: &self.config.access_key,
            secret_key: &self.config.secret_key,
            region: &self.config.region,
            service: "s3",
        }
    }

    /// Sends one signed request for `key`; returns the response, or the status and body of an
    /// error answer.
    fn send(&self, method: &str, key: &str, body: Option<(&[u8], &str)>) -> Result<Sent> {
        let (host, path) = self.host_and_path(key);
        let payload_sha256 = body.map(|(_, h)| h).unwrap_or(EMPTY_SHA256);
        let now = (self.now)();
        let date = amz_date(now);
        let headers = [
            ("host", host.as_str()),
            ("x-amz-content-sha256", payload_sha256),
            ("x-amz-date", date.as_str()),
        ];
        let authorization = self.signer().authorization(
            &Request {
                method,
                path: &path,
                query: &[],
                headers: &headers,
                payload_sha256,
            },
            now,
        );
        let (scheme, _) = self.config.scheme_and_host().expect("validated endpoint");
        let url = format!("{scheme}://{host}{}", crate::sigv4::uri_encode(&path, true));
        let mut req = self.agent.request(method, &url).set("Authorization", &authorization);
        for (k, v) in headers {
            req = req.set(k, v);
        }
        let result = match body {
            Some((bytes, _)) => req.set("Content-Type", "application/octet-stream").send_bytes(bytes),
            None => req.call(),
        };
        match result {
            Ok(resp) => Ok(Sent::Ok(Box::new(resp))),
            Err(ureq::Error::Status(code, resp)) => {
                let mut text = String::new();
                let _ = resp.into_reader().take(2000).read_to_string(&mut text);
                Ok(Sent::Status(code, text))
            }
            Err(ureq::Error::Transport(t)) => Err(FileError::Storage(format!(
                "无法访问 S3 端点 {}：{t}",
                self.config.endpoint
            ))),
        }
    }

    fn refused(&self, op: &str, code: u16, body: &str) -> FileError {
        let detail = s3_error_code(body).unwrap_or_default();
        FileError::Storage(format!(
            "S3 {op} 被拒绝（HTTP {code}{}{detail}），存储桶 {}",
            if detail.is_empty() { "" } else { " " },
            self.config.bucket
        ))
    }
}

enum Sent {
    Ok(Box<ureq::Response>),
    Status(u16, String),
}

/// The `<Code>` of an S3 error body (`NoSuchBucket`, `SignatureDoesNotMatch`…).
fn s3_error_code(body: &str) -> Option<String> {
    let start = body.find("<Code>")? + "<Code>".len();
    let end = body[start..].find("</Code>")? + start;
    Some(body[start..end].to_string())
}

impl FileStore for S3Files {
    fn put(&self, bytes: &[u8]) -> Result<StoredFile> {
        let sha256 = sha256_hex(bytes);
        let key = self.key_of(&sha256);
        let stored = StoredFile {
            sha256: sha256.clone(),
            size: bytes.len() as u64,
        };
        // Always uploaded, even when the object may exist: one request instead of a HEAD and a PUT
        // in the usual case (new evidence), and an object altered in the bucket is replaced by the
        // true content (same name, same bytes: idempotent).
        match self.send("PUT", &key, Some((bytes, &sha256)))? {
            Sent::Ok(_) => Ok(stored),
            Sent::Status(code, body) => Err(self.refused("PUT", code, &body)),
        }
    }

    fn get(&self, sha256: &str) -> Result<Vec<u8>> {
        check_sha256(sha256)?;
        let key = self.key_of(sha256);
        match self.send("GET", &key, None)? {
            Sent::Ok(resp) => {
                let mut bytes = Vec::new();
                resp.into_reader()
                    .take(MAX_GET_BYTES)
                    .read_to_end(&mut bytes)
                    .map_err(|e| FileError::Storage(format!("读取 S3 对象 {key} 失败：{e}")))?;
                verify(sha256, &bytes)?;
                Ok(bytes)
            }
            Sent::Status(404, _) => Err(FileError::NotFound {
                sha256: sha256.to_string(),
            }),
            Sent::Status(code, body) => Err(self.refused("GET", code, &body)),
        }
    }

    fn exists(&self, sha256: &str) -> Result<bool> {
        check_sha256(sha256)?;
        match self.send("HEAD", &self.key_of(sha256), None)? {
            Sent::Ok(_) => Ok(true),
            Sent::Status(404, _) => Ok(false),
            Sent::Status(code, body) => Err(self.refused("HEAD", code, &body)),
        }
    }

    fn location(&self) -> String {
        format!(
            "S3 {} 存储桶 {}{}",
            self.config.endpoint,
            self.config.bucket,
            if self.config.prefix.is_empty() {
                String::new()
            } else {
                format!(" 前缀 {}", self.config.prefix)
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> S3Config {
        S3Config {
            endpoint: "http://127.0.0.1:9000".into(),
            bucket: "evidence".into(),
            access_key: "AK".into(),
            secret_key: "SK".into(),
            prefix: "jz/".into(),
            ..S3Config::default()
        }
    }

    #[test]
    fn settings_are_checked() {
        assert!(config().validate().is_ok());
        let https = S3Config {
            endpoint: "https://s3.example.com".into(),
            ..config()
        };
        assert!(https.validate().is_ok());
        let ftp = S3Config {
            endpoint: "ftp://s3.example.com".into(),
            ..config()
        };
        assert!(ftp.validate().unwrap_err().contains("https://"));
        let ca_over_http = S3Config {
            ca_file: Some("/etc/ssl/ca.pem".into()),
            ..config()
        };
        assert!(ca_over_http.validate().unwrap_err().contains("ca_file"));
        let missing_ca = S3Config {
            endpoint: "https://s3.example.com".into(),
            ca_file: Some("/nonexistent/ca.pem".into()),
            ..config()
        };
        let now: Now = Arc::new(|| Timestamp::UNIX_EPOCH);
        assert!(
            S3Files::new(missing_ca, now)
                .unwrap_err()
                .contains("无法读取 S3 CA 证书文件")
        );
        let path = S3Config {
            endpoint: "http://host/bucket".into(),
            ..config()
        };
        assert!(path.validate().is_err());
        let bucket = S3Config {
            bucket: "Evidence_1".into(),
            ..config()
        };
        assert!(bucket.validate().unwrap_err().contains("存储桶"));
        let keys = S3Config {
            secret_key: String::new(),
            ..config()
        };
        assert!(keys.validate().is_err());
    }

    #[test]
    fn the_secret_never_prints() {
        let s = format!("{:?}", config());
        assert!(s.contains("***") && !s.contains("\"SK\""), "{s}");
    }

    #[test]
    fn path_style_and_virtual_hosted_addresses() {
        let now: Now = Arc::new(|| Timestamp::UNIX_EPOCH);
        let sha = sha256_hex(b"x");
        let path_style = S3Files::new(config(), now.clone()).unwrap();
        let key = path_style.key_of(&sha);
        assert_eq!(key, format!("jz/{}", shard_path(&sha)));
        assert_eq!(
            path_style.host_and_path(&key),
            ("127.0.0.1:9000".to_string(), format!("/evidence/{key}"))
        );
        let virtual_hosted = S3Files::new(
            S3Config {
                path_style: false,
                ..config()
            },
            now,
        )
        .unwrap();
        assert_eq!(
            virtual_hosted.host_and_path(&key),
            ("evidence.127.0.0.1:9000".to_string(), format!("/{key}"))
        );
    }

    #[test]
    fn error_codes_are_read_from_the_body() {
        assert_eq!(
            s3_error_code("<Error><Code>SignatureDoesNotMatch</Code><Message>x</Message></Error>").as_deref(),
            Some("SignatureDoesNotMatch")
        );
        assert_eq!(s3_error_code("nothing"), None);
    }
}
