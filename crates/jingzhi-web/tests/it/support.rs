//! A real server on a random loopback port over a fresh database, seeded with the demo dataset,
//! and a small cookie-keeping HTTP client.

use jingzhi_app::demo::DemoAccount;
use jingzhi_app::{App, AppConfig, SystemClock};
use jingzhi_domain::role::Role;
use jingzhi_testkit::Scratch;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

pub const DEMO: &str = include_str!("../../../../data/demo/changning.toml");

pub struct TestServer {
    pub base: String,
    pub app: App,
    pub accounts: Vec<DemoAccount>,
    _scratch: Scratch,
}

impl TestServer {
    pub fn start() -> TestServer {
        TestServer::on(Scratch::sqlite())
    }

    pub fn on(scratch: Scratch) -> TestServer {
        let app = App::new(scratch.store.clone(), Arc::new(SystemClock), AppConfig::for_tests());
        let accounts = jingzhi_app::demo::seed(&app, DEMO).expect("seed demo");
        let state = jingzhi_web::WebState::new(
            app.clone(),
            jingzhi_web::WebConfig {
                demo: true,
                ..Default::default()
            },
        );
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(l.local_addr().unwrap()).unwrap();
                let svc = jingzhi_web::router(state).into_make_service_with_connect_info::<SocketAddr>();
                axum::serve(l, svc).await.unwrap();
            });
        });
        let addr = rx.recv().unwrap();
        TestServer {
            base: format!("http://{addr}"),
            app,
            accounts,
            _scratch: scratch,
        }
    }

    pub fn account(&self, role: Role) -> &DemoAccount {
        self.accounts.iter().find(|a| a.role == role).unwrap()
    }

    pub fn client(&self) -> Client {
        Client {
            base: self.base.clone(),
            agent: ureq::AgentBuilder::new().redirects(0).build(),
            cookies: BTreeMap::new(),
        }
    }

    /// A client signed in as the demo account of a role.
    pub fn signed_in(&self, role: Role) -> Client {
        let mut c = self.client();
        let a = self.account(role);
        c.login(&a.username, &a.password);
        c
    }
}

pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

pub struct Client {
    pub base: String,
    agent: ureq::Agent,
    pub cookies: BTreeMap<String, String>,
}

impl Client {
    fn send(&mut self, req: ureq::Request, body: Option<Body>) -> Resp {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let req = if cookie.is_empty() {
            req
        } else {
            req.set("Cookie", &cookie)
        };
        let res = match body {
            None => req.call(),
            Some(Body::Form(pairs)) => {
                let p: Vec<(&str, &str)> = pairs.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
                req.send_form(&p)
            }
            Some(Body::Json(v)) => req.send_json(v),
            Some(Body::Raw(content_type, bytes)) => req.set("Content-Type", &content_type).send_bytes(&bytes),
        };
        let r = match res {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("request failed: {e}"),
        };
        let status = r.status();
        let headers: Vec<(String, String)> = r
            .headers_names()
            .into_iter()
            .flat_map(|n| {
                r.all(&n)
                    .into_iter()
                    .map(|v| (n.clone(), v.to_string()))
                    .collect::<Vec<_>>()
            })
            .collect();
        for (k, v) in &headers {
            if k.eq_ignore_ascii_case("set-cookie")
                && let Some((kv, _)) = v.split_once(';').or(Some((v.as_str(), "")))
                && let Some((name, value)) = kv.split_once('=')
            {
                if value.is_empty() || v.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_string(), value.to_string());
                }
            }
        }
        let mut body = Vec::new();
        std::io::Read::read_to_end(&mut r.into_reader(), &mut body).unwrap();
        Resp { status, headers, body }
    }

    pub fn get(&mut self, path: &str) -> Resp {
        let req = self.agent.get(&format!("{}{path}", self.base));
        self.send(req, None)
    }

    pub fn get_with(&mut self, path: &str, headers: &[(&str, &str)]) -> Resp {
        let mut req = self.agent.get(&format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.set(k, v);
        }
        self.send(req, None)
    }

    pub fn post_form(&mut self, path: &str, pairs: &[(&str, &str)]) -> Resp {
        self.post_form_with(path, pairs, &[])
    }

    pub fn post_form_with(&mut self, path: &str, pairs: &[(&str, &str)], headers: &[(&str, &str)]) -> Resp {
        let mut req = self.agent.post(&format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.set(k, v);
        }
        let pairs = pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        self.send(req, Some(Body::Form(pairs)))
    }

    pub fn post_json(&mut self, path: &str, v: serde_json::Value, headers: &[(&str, &str)]) -> Resp {
        let mut req = self.agent.post(&format!("{}{path}", self.base));
        for (k, val) in headers {
            req = req.set(k, val);
        }
        self.send(req, Some(Body::Json(v)))
    }

    /// A raw body with its content type (CSV uploads to the API).
    pub fn post_bytes(&mut self, path: &str, content_type: &str, bytes: &[u8], headers: &[(&str, &str)]) -> Resp {
        let mut req = self.agent.post(&format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.set(k, v);
        }
        self.send(req, Some(Body::Raw(content_type.to_string(), bytes.to_vec())))
    }

    /// A `multipart/form-data` form, as a browser sends a form with file inputs.
    pub fn post_multipart(&mut self, path: &str, fields: &[(&str, &str)], files: &[FilePart<'_>]) -> Resp {
        self.post_multipart_with(path, fields, files, &[])
    }

    pub fn post_multipart_with(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[FilePart<'_>],
        headers: &[(&str, &str)],
    ) -> Resp {
        let boundary = "----jingzhi-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
            );
        }
        for f in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                    f.field, f.filename, f.content_type
                )
                .as_bytes(),
            );
            body.extend_from_slice(f.bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let mut req = self.agent.post(&format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.set(k, v);
        }
        self.send(
            req,
            Some(Body::Raw(format!("multipart/form-data; boundary={boundary}"), body)),
        )
    }

    /// The CSRF token embedded in a page's forms.
    pub fn csrf_of(&mut self, path: &str) -> String {
        let page = self.get(path).text();
        csrf_in(&page).unwrap_or_else(|| panic!("no CSRF token on {path}"))
    }

    pub fn login(&mut self, username: &str, password: &str) -> Resp {
        let csrf = self.csrf_of("/login");
        let r = self.post_form(
            "/login",
            &[
                ("_csrf", &csrf),
                ("next", "/"),
                ("username", username),
                ("password", password),
            ],
        );
        assert_eq!(r.status, 303, "login as {username}: {}", r.text());
        r
    }
}

enum Body {
    Form(Vec<(String, String)>),
    Json(serde_json::Value),
    Raw(String, Vec<u8>),
}

/// A file in a multipart form: field name, file name, content type, bytes.
pub struct FilePart<'a> {
    pub field: &'a str,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

pub fn csrf_in(page: &str) -> Option<String> {
    let i = page.find("name=\"_csrf\" value=\"")? + "name=\"_csrf\" value=\"".len();
    Some(page[i..].split('"').next()?.to_string())
}
