//! AWS Signature Version 4, written out by hand (the algorithm is short; a client library would
//! bring an async runtime and hundreds of crates). HMAC-SHA256 is built on `sha2` (RFC 2104).
//!
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html>

use jiff::Timestamp;
use sha2::{Digest, Sha256};

/// The SHA-256 of an empty payload, for GET and HEAD.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// HMAC-SHA256 (RFC 2104) of `data` under `key`.
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    inner.update(data);
    let inner = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner);
    outer.finalize().into()
}

/// Percent-encodes everything but the unreserved characters `A-Z a-z 0-9 - . _ ~` (and `/` when
/// `keep_slash`), as SigV4 requires.
pub fn uri_encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') || (keep_slash && b == b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One request to sign.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub method: &'a str,
    /// The path, not yet encoded (`/bucket/ab/cd/abcd…`); each segment is encoded once.
    pub path: &'a str,
    /// Query parameters, not yet encoded.
    pub query: &'a [(&'a str, &'a str)],
    /// Headers to sign, `host` included (names in any case).
    pub headers: &'a [(&'a str, &'a str)],
    /// Hex SHA-256 of the body (or `UNSIGNED-PAYLOAD`); also sent as `x-amz-content-sha256` to S3.
    pub payload_sha256: &'a str,
}

/// Who signs, where, when.
#[derive(Debug, Clone)]
pub struct Signer<'a> {
    pub access_key: &'a str,
    pub secret_key: &'a str,
    pub region: &'a str,
    pub service: &'a str,
}

/// `YYYYMMDDTHHMMSSZ`, the `x-amz-date` form of an instant.
pub fn amz_date(now: Timestamp) -> String {
    now.strftime("%Y%m%dT%H%M%SZ").to_string()
}

impl Signer<'_> {
    /// The canonical request (step 1), exposed for tests and debugging.
    pub fn canonical_request(&self, req: &Request<'_>) -> (String, String) {
        let mut query: Vec<(String, String)> = req
            .query
            .iter()
            .map(|(k, v)| (uri_encode(k, false), uri_encode(v, false)))
            .collect();
        query.sort();
        let query = query
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        let mut headers: Vec<(String, String)> = req
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.to_ascii_lowercase(),
                    v.split_whitespace().collect::<Vec<_>>().join(" "),
                )
            })
            .collect();
        headers.sort();
        let canonical_headers: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
        let signed_headers = headers.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(";");
        let path = if req.path.is_empty() {
            "/".to_string()
        } else {
            uri_encode(req.path, true)
        };
        let canonical = format!(
            "{}\n{path}\n{query}\n{canonical_headers}\n{signed_headers}\n{}",
            req.method, req.payload_sha256
        );
        (canonical, signed_headers)
    }

    /// The `Authorization` header value for `req` at `now` (which must also be sent as
    /// `x-amz-date`, and be among the signed headers).
    pub fn authorization(&self, req: &Request<'_>, now: Timestamp) -> String {
        let date_time = amz_date(now);
        let date = &date_time[..8];
        let (canonical, signed_headers) = self.canonical_request(req);
        let scope = format!("{date}/{}/{}/aws4_request", self.region, self.service);
        let string_to_sign = format!(
            "AWS4-HMAC-SHA256\n{date_time}\n{scope}\n{}",
            hex::encode(Sha256::digest(canonical.as_bytes()))
        );
        let k_date = hmac_sha256(format!("AWS4{}", self.secret_key).as_bytes(), date.as_bytes());
        let k_region = hmac_sha256(&k_date, self.region.as_bytes());
        let k_service = hmac_sha256(&k_region, self.service.as_bytes());
        let k_signing = hmac_sha256(&k_service, b"aws4_request");
        let signature = hex::encode(hmac_sha256(&k_signing, string_to_sign.as_bytes()));
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
            self.access_key
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 1.
        assert_eq!(
            hex::encode(hmac_sha256(&[0x0b; 20], b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        // Test case 2.
        assert_eq!(
            hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block is hashed first.
        assert_eq!(
            hex::encode(hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    fn example_signer() -> Signer<'static> {
        Signer {
            access_key: "AKIAIOSFODNN7EXAMPLE",
            secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            region: "us-east-1",
            service: "s3",
        }
    }

    /// The worked examples of Amazon's "Signature Calculations for the Authorization Header"
    /// (S3 API reference, sig-v4-header-based-auth).
    #[test]
    fn signatures_match_the_s3_documentation_examples() {
        let at: Timestamp = "2013-05-24T00:00:00Z".parse().unwrap();
        assert_eq!(amz_date(at), "20130524T000000Z");
        let get = example_signer().authorization(
            &Request {
                method: "GET",
                path: "/test.txt",
                query: &[],
                headers: &[
                    ("Host", "examplebucket.s3.amazonaws.com"),
                    ("Range", "bytes=0-9"),
                    ("x-amz-content-sha256", EMPTY_SHA256),
                    ("x-amz-date", "20130524T000000Z"),
                ],
                payload_sha256: EMPTY_SHA256,
            },
            at,
        );
        assert_eq!(
            get,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
             SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \
             Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
        let body_sha = hex::encode(Sha256::digest(b"Welcome to Amazon S3."));
        let put = example_signer().authorization(
            &Request {
                method: "PUT",
                path: "/test$file.text",
                query: &[],
                headers: &[
                    ("date", "Fri, 24 May 2013 00:00:00 GMT"),
                    ("host", "examplebucket.s3.amazonaws.com"),
                    ("x-amz-content-sha256", &body_sha),
                    ("x-amz-date", "20130524T000000Z"),
                    ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
                ],
                payload_sha256: &body_sha,
            },
            at,
        );
        assert!(
            put.ends_with("Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"),
            "{put}"
        );
        // Query parameters are encoded and sorted (the documentation's GET Bucket lifecycle).
        let lifecycle = example_signer().authorization(
            &Request {
                method: "GET",
                path: "/",
                query: &[("lifecycle", "")],
                headers: &[
                    ("host", "examplebucket.s3.amazonaws.com"),
                    ("x-amz-content-sha256", EMPTY_SHA256),
                    ("x-amz-date", "20130524T000000Z"),
                ],
                payload_sha256: EMPTY_SHA256,
            },
            at,
        );
        assert!(
            lifecycle.ends_with("Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"),
            "{lifecycle}"
        );
    }

    #[test]
    fn uri_encoding_keeps_only_unreserved_characters() {
        assert_eq!(uri_encode("a b/c~d*e", false), "a%20b%2Fc~d%2Ae");
        assert_eq!(
            uri_encode("/bucket/ab/cd/证据", true),
            "/bucket/ab/cd/%E8%AF%81%E6%8D%AE"
        );
    }
}
