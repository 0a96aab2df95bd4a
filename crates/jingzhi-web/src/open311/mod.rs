//! Open311 GeoReport v2 at `/open311/v2/` (docs/open311.md): discovery, services, service
//! definitions, POST and GET requests, tokens — every resource in XML (required by the spec) and
//! JSON (Spark convention), errors as the spec's array of `{code, description}` in the request's
//! format. The application layer (`jingzhi_app::open311`) holds the rules; this module reads the
//! spec's parameters and writes its documents.

mod doc;
mod services;

use crate::{WebState, blocking};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use doc::Node;
use jiff::Timestamp;
use jingzhi_app::open311::{PublicFilter, PublicRequest, Submission, parse_w3c};
use jingzhi_app::{AppError, ErrorKind};

/// Our `jurisdiction_id` (the district government's root domain, as the spec suggests). Requests
/// may omit it; any other value is answered 404.
pub const JURISDICTION_ID: &str = "changning.sh.gov.cn";
/// The specification token of discovery.
pub const SPECIFICATION: &str = "http://wiki.open311.org/GeoReport_v2";
/// When this endpoint's contract last changed (discovery `changeset`).
const CHANGESET: &str = "2026-11-26 12:00";
const CONTACT: &str = "长宁区城市管理行政执法局指挥中心；市民也可拨打12345市民服务热线反映问题";
const KEY_SERVICE: &str = "提交请求（POST）须使用接口密钥：由平台系统管理员以 `jingzhi api-key create --name <用途> --org dispatch --role dispatcher` 签发，请向长宁区城市管理行政执法局指挥中心申请。查询无需密钥。";

pub fn router() -> Router<WebState> {
    Router::new()
        .route("/open311/v2/{file}", any(top))
        .route("/open311/v2/services/{file}", any(service_definition))
        .route("/open311/v2/requests/{file}", any(one_request))
        .route("/open311/v2/tokens/{file}", any(token))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fmt {
    Xml,
    Json,
}

/// `name.json` / `name.xml` → (name, format).
fn split(file: &str) -> Option<(&str, Fmt)> {
    let (name, ext) = file.rsplit_once('.')?;
    let fmt = match ext {
        "xml" => Fmt::Xml,
        "json" => Fmt::Json,
        _ => return None,
    };
    (!name.is_empty()).then_some((name, fmt))
}

fn document(fmt: Fmt, status: StatusCode, root: &str, node: &Node) -> Response {
    let (body, ct) = match fmt {
        Fmt::Xml => (node.to_xml(root), "text/xml; charset=utf-8"),
        Fmt::Json => (node.to_json().to_string(), "application/json; charset=utf-8"),
    };
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    // Public data: map pages on other sites may read it (no cookies are involved; cross-site
    // browser POSTs are still refused by the same-origin check).
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    r
}

/// An Open311 error answer: HTTP status and the spec's array of `{code, description}`.
#[derive(Debug)]
struct Failure {
    status: StatusCode,
    errors: Vec<(u16, String)>,
}

impl Failure {
    fn new(status: StatusCode, description: impl Into<String>) -> Failure {
        Failure {
            status,
            errors: vec![(status.as_u16(), description.into())],
        }
    }

    fn respond(self, fmt: Fmt) -> Response {
        let node = Node::List(
            "error",
            self.errors
                .into_iter()
                .map(|(code, d)| Node::Obj(vec![("code", Node::Int(code.into())), ("description", Node::text(d))]))
                .collect(),
        );
        document(fmt, self.status, "errors", &node)
    }
}

/// The spec's statuses: 404 unknown resource, 403 bad `api_key`, 400 anything else the client can
/// fix. Server-side failures keep their own status (500/503) so that clients retry and operators
/// see them in the metrics.
impl From<AppError> for Failure {
    fn from(e: AppError) -> Failure {
        let status = match e.kind() {
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Unauthenticated | ErrorKind::Forbidden | ErrorKind::Locked => StatusCode::FORBIDDEN,
            ErrorKind::Invalid | ErrorKind::Conflict => StatusCode::BAD_REQUEST,
            ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let errors = if e.fields.is_empty() {
            vec![(status.as_u16(), e.message)]
        } else {
            e.fields
                .into_iter()
                .map(|f| (status.as_u16(), format!("{}：{}", f.field, f.message)))
                .collect()
        };
        Failure { status, errors }
    }
}

type Answer = Result<Response, Failure>;

/// Decoded `application/x-www-form-urlencoded` pairs (query string or POST body).
#[derive(Debug, Default)]
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(raw: &[u8]) -> Result<Params, Failure> {
        let mut out = Vec::new();
        for part in raw.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
            let (k, v) = match part.iter().position(|b| *b == b'=') {
                Some(i) => (&part[..i], &part[i + 1..]),
                None => (part, &[][..]),
            };
            out.push((decode(k)?, decode(v)?));
        }
        Ok(Params(out))
    }

    /// The last non-empty value ("optional" means empty == absent).
    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .rev()
            .find(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    }

    /// Comma-separated values, also when the parameter is repeated.
    fn list(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }
}

fn decode(s: &[u8]) -> Result<String, Failure> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < s.len() => {
                let hex = std::str::from_utf8(&s[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| Failure::new(StatusCode::BAD_REQUEST, "参数不是有效的 UTF-8 编码"))
}

fn check_jurisdiction(p: &Params) -> Result<(), Failure> {
    match p.get("jurisdiction_id") {
        "" => Ok(()),
        j if j.eq_ignore_ascii_case(JURISDICTION_ID) => Ok(()),
        j => Err(Failure::new(
            StatusCode::NOT_FOUND,
            format!("jurisdiction_id 不存在：{j}（本接口只服务 {JURISDICTION_ID}）"),
        )),
    }
}

fn not_found(what: &str) -> Failure {
    Failure::new(StatusCode::NOT_FOUND, format!("没有这个资源：{what}"))
}

fn method_not_allowed(m: &Method) -> Failure {
    Failure::new(StatusCode::METHOD_NOT_ALLOWED, format!("不支持 {m} 方法"))
}

fn is_get(m: &Method) -> bool {
    *m == Method::GET || *m == Method::HEAD
}

/// `Ok(answer)` or the failure in the request's format.
fn finish(fmt: Fmt, a: Answer) -> Response {
    a.unwrap_or_else(|f| f.respond(fmt))
}

/// W3C date-time in Asia/Shanghai with its offset, to the second.
fn w3c(t: Timestamp) -> String {
    t.to_zoned(jingzhi_domain::time::zone().clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// `/open311/v2/{discovery,services,requests}.{xml,json}`.
async fn top(
    State(s): State<WebState>,
    Path(file): Path<String>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let Some((name, fmt)) = split(&file) else {
        return not_found(&file).respond(Fmt::Xml);
    };
    let answer = async {
        let mut p = Params::parse(query.unwrap_or_default().as_bytes())?;
        match (name, is_get(&method), method == Method::POST) {
            ("discovery", true, _) => Ok(discovery(&s, &headers, fmt)),
            ("services", true, _) => {
                check_jurisdiction(&p)?;
                let app = s.app.clone();
                let data = blocking(move || app.intake_data()).await?;
                Ok(document(
                    fmt,
                    StatusCode::OK,
                    "services",
                    &services::service_list(&data.catalogue),
                ))
            }
            ("requests", true, _) => {
                check_jurisdiction(&p)?;
                list_requests(&s, &p, fmt).await
            }
            ("requests", _, true) => {
                let ct = headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("application/x-www-form-urlencoded");
                if !ct.starts_with("application/x-www-form-urlencoded") {
                    return Err(Failure::new(
                        StatusCode::BAD_REQUEST,
                        format!(
                            "请求体须为 application/x-www-form-urlencoded（收到 {ct}）；照片请以 media_url 链接提交"
                        ),
                    ));
                }
                // The body's parameters; a client may also put some in the query string.
                p.0.extend(Params::parse(&body)?.0);
                check_jurisdiction(&p)?;
                post_request(&s, &p, fmt).await
            }
            ("discovery" | "services" | "requests", _, _) => Err(method_not_allowed(&method)),
            _ => Err(not_found(&file)),
        }
    }
    .await;
    finish(fmt, answer)
}

fn discovery(s: &WebState, headers: &HeaderMap, fmt: Fmt) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .unwrap_or("localhost");
    let forwarded_https = s.config.trust_proxy
        && headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    let scheme = if forwarded_https || s.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    let node = Node::Obj(vec![
        ("changeset", Node::text(CHANGESET)),
        ("contact", Node::text(CONTACT)),
        ("key_service", Node::text(KEY_SERVICE)),
        (
            "endpoints",
            Node::List(
                "endpoint",
                vec![Node::Obj(vec![
                    ("specification", Node::text(SPECIFICATION)),
                    ("url", Node::text(format!("{scheme}://{host}/open311/v2"))),
                    ("changeset", Node::text(CHANGESET)),
                    ("type", Node::text(if s.config.demo { "test" } else { "production" })),
                    (
                        "formats",
                        Node::List("format", vec![Node::text("text/xml"), Node::text("application/json")]),
                    ),
                ])],
            ),
        ),
    ]);
    document(fmt, StatusCode::OK, "discovery", &node)
}

/// `/open311/v2/services/{service_code}.{xml,json}`.
async fn service_definition(
    State(s): State<WebState>,
    Path(file): Path<String>,
    method: Method,
    RawQuery(query): RawQuery,
) -> Response {
    let Some((code, fmt)) = split(&file) else {
        return not_found(&file).respond(Fmt::Xml);
    };
    let code = code.to_string();
    let answer = async {
        if !is_get(&method) {
            return Err(method_not_allowed(&method));
        }
        check_jurisdiction(&Params::parse(query.unwrap_or_default().as_bytes())?)?;
        let app = s.app.clone();
        let data = blocking(move || app.intake_data()).await?;
        let m = services::services(&data.catalogue)
            .into_iter()
            .find(|m| m.code == code)
            .ok_or_else(|| Failure::new(StatusCode::NOT_FOUND, format!("service_code 不存在：{code}")))?;
        Ok(document(
            fmt,
            StatusCode::OK,
            "service_definition",
            &services::definition(m),
        ))
    }
    .await;
    finish(fmt, answer)
}

/// `/open311/v2/requests/{service_request_id}.{xml,json}`.
async fn one_request(
    State(s): State<WebState>,
    Path(file): Path<String>,
    method: Method,
    RawQuery(query): RawQuery,
) -> Response {
    let Some((id, fmt)) = split(&file) else {
        return not_found(&file).respond(Fmt::Xml);
    };
    let id = id.to_string();
    let answer = async {
        if !is_get(&method) {
            return Err(method_not_allowed(&method));
        }
        check_jurisdiction(&Params::parse(query.unwrap_or_default().as_bytes())?)?;
        let app = s.app.clone();
        let r = blocking(move || app.open311_request(&id)).await?;
        Ok(document(
            fmt,
            StatusCode::OK,
            "service_requests",
            &Node::List("request", vec![request_node(&r)]),
        ))
    }
    .await;
    finish(fmt, answer)
}

/// `/open311/v2/tokens/{token}.{xml,json}`: requests are answered with their id at once
/// (`type` realtime), so no token is ever issued and every token is unknown.
async fn token(Path(file): Path<String>, method: Method, RawQuery(query): RawQuery) -> Response {
    let Some((token, fmt)) = split(&file) else {
        return not_found(&file).respond(Fmt::Xml);
    };
    let failure = if !is_get(&method) {
        method_not_allowed(&method)
    } else {
        match Params::parse(query.unwrap_or_default().as_bytes()).and_then(|p| check_jurisdiction(&p)) {
            Err(f) => f,
            Ok(()) => Failure::new(
                StatusCode::NOT_FOUND,
                format!("token 不存在：{token}（本接口提交后立即返回 service_request_id，不发放 token）"),
            ),
        }
    };
    failure.respond(fmt)
}

async fn post_request(s: &WebState, p: &Params, fmt: Fmt) -> Answer {
    let key = p.get("api_key").to_string();
    if key.is_empty() {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            "缺少 api_key：提交请求须提供接口密钥",
        ));
    }
    let mut sub = Submission {
        service_code: p.get("service_code").into(),
        lat: p.get("lat").into(),
        long: p.get("long").into(),
        address_string: p.get("address_string").into(),
        address_id: p.get("address_id").into(),
        email: p.get("email").into(),
        device_id: p.get("device_id").into(),
        account_id: p.get("account_id").into(),
        first_name: p.get("first_name").into(),
        last_name: p.get("last_name").into(),
        phone: p.get("phone").into(),
        description: p.get("description").into(),
        media_url: p.get("media_url").into(),
        attributes: Vec::new(),
    };
    for (k, v) in &p.0 {
        if let Some(rest) = k.strip_prefix("attribute[") {
            let code = rest.strip_suffix("][]").or_else(|| rest.strip_suffix(']'));
            if let Some(code) = code.filter(|c| !c.is_empty() && !c.contains(['[', ']'])) {
                sub.attributes.push((code.to_string(), v.clone()));
            }
        }
    }
    let account_id = sub.account_id.clone();
    let app = s.app.clone();
    let done = blocking(move || app.open311_submit(&key, &sub)).await?;
    let node = Node::List(
        "request",
        vec![Node::Obj(vec![
            ("service_request_id", Node::text(done.clue.no.clone())),
            ("service_notice", Node::text(done.notice.clone())),
            ("account_id", Node::text(account_id)),
        ])],
    );
    Ok(document(fmt, StatusCode::OK, "service_requests", &node))
}

async fn list_requests(s: &WebState, p: &Params, fmt: Fmt) -> Answer {
    let bad = |m: String| Failure::new(StatusCode::BAD_REQUEST, m);
    let date = |name: &str, end: bool| -> Result<Option<Timestamp>, Failure> {
        match p.get(name) {
            "" => Ok(None),
            v => parse_w3c(v, end).map(Some).map_err(|m| bad(format!("{name}：{m}"))),
        }
    };
    let mut open = None;
    for st in p.list("status") {
        let this = match st.to_ascii_lowercase().as_str() {
            "open" => true,
            "closed" => false,
            _ => return Err(bad(format!("status 只能为 open 或 closed（收到 {st}）"))),
        };
        open = match open {
            None => Some(Some(this)),
            Some(Some(prev)) if prev != this => Some(None),
            other => other,
        };
    }
    let int = |name: &str| -> Result<i64, Failure> {
        match p.get(name) {
            "" => Ok(0),
            v => v
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| bad(format!("{name} 须为正整数（收到 {v}）"))),
        }
    };
    let f = PublicFilter {
        ids: p.list("service_request_id"),
        service_codes: p.list("service_code"),
        start: date("start_date", false)?,
        end: date("end_date", true)?,
        open: open.flatten(),
        page: int("page")?,
        page_size: int("page_size")?,
    };
    let app = s.app.clone();
    let rows = blocking(move || app.open311_requests(&f)).await?;
    Ok(document(
        fmt,
        StatusCode::OK,
        "service_requests",
        &Node::List("request", rows.iter().map(request_node).collect()),
    ))
}

fn request_node(r: &PublicRequest) -> Node {
    let float = |v: Option<f64>| v.map(Node::Float).unwrap_or(Node::Null);
    Node::Obj(vec![
        ("service_request_id", Node::text(r.id.clone())),
        ("status", Node::text(if r.open { "open" } else { "closed" })),
        ("status_notes", Node::text(r.status_notes.clone())),
        ("service_name", Node::text(r.service_name.clone())),
        ("service_code", Node::text(r.service_code.clone())),
        ("description", Node::text(r.description.clone())),
        ("agency_responsible", Node::text(r.agency_responsible.clone())),
        ("service_notice", Node::text(r.service_notice.clone())),
        ("requested_datetime", Node::text(w3c(r.requested_at))),
        ("updated_datetime", Node::text(w3c(r.updated_at))),
        ("expected_datetime", Node::opt(r.expected_at.map(w3c))),
        ("address", Node::text(r.address.clone())),
        ("address_id", Node::opt(r.address_id.clone())),
        ("zipcode", Node::Null),
        ("lat", float(r.lat)),
        ("long", float(r.long)),
        ("media_url", Node::opt(r.media_url.clone())),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_values_are_decoded_with_plus_and_percent() {
        let p = Params::parse(b"description=%E6%B2%B9%E7%83%9F+%26+%3Cb%3E&attribute[compound]=a%2").unwrap();
        assert_eq!(p.get("description"), "油烟 & <b>");
        assert_eq!(p.get("attribute[compound]"), "a%2");
        assert!(Params::parse(b"x=%FF").is_err(), "not UTF-8");
        assert_eq!(p.list("service_code"), Vec::<String>::new());
        let p = Params::parse(b"service_code=a,b&service_code=c").unwrap();
        assert_eq!(p.list("service_code"), vec!["a", "b", "c"]);
    }

    #[test]
    fn formats_come_from_the_suffix() {
        assert_eq!(split("services.json"), Some(("services", Fmt::Json)));
        assert_eq!(split("XS2026000001.xml"), Some(("XS2026000001", Fmt::Xml)));
        assert_eq!(split("services.html"), None);
        assert_eq!(split(".json"), None);
    }

    #[test]
    fn datetimes_carry_the_shanghai_offset() {
        let t: Timestamp = "2026-03-02T01:30:05.123Z".parse().unwrap();
        assert_eq!(w3c(t), "2026-03-02T09:30:05+08:00");
    }
}
