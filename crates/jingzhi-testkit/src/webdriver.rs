//! A minimal W3C WebDriver client for the browser journeys: starts Debian's `chromedriver`
//! driving a real headless Chromium, and speaks the protocol over HTTP. Only what the journeys
//! need: navigate, find, type, click, read, run a script, screenshot.

use serde_json::{Value, json};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
    pub width: u32,
    /// Chromium's profile directory (removed when the browser is dropped).
    profile: std::path::PathBuf,
}

#[derive(Clone, Debug)]
pub struct Element(String);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

fn find_binary(candidates: &[&str]) -> Option<String> {
    candidates
        .iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(|p| p.to_string())
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a phone-sized window, or None (after
    /// reporting) when they are not installed and skipping is allowed.
    pub fn start(suite: &str, width: u32, height: u32) -> Option<Browser> {
        let chromium = std::env::var("CHROMIUM").ok().or_else(|| {
            find_binary(&[
                "/usr/bin/chromium",
                "/usr/bin/chromium-browser",
                "/usr/bin/google-chrome",
            ])
        });
        let driver = std::env::var("CHROMEDRIVER")
            .ok()
            .or_else(|| find_binary(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]));
        let (Some(chromium), Some(driver)) = (chromium, driver) else {
            crate::skip_or_fail(
                suite,
                "Chromium or chromedriver not installed (Debian packages chromium, chromium-driver)",
            );
            return None;
        };
        let port = free_port();
        let child = Command::new(&driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(60)).build();
        let start = Instant::now();
        while agent.get(&format!("{base}/status")).call().is_err() {
            assert!(start.elapsed() < Duration::from_secs(20), "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = std::env::temp_dir().join(format!("jz-chromium-{}", crate::random_suffix()));
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                         "--disable-dev-shm-usage", "--disable-component-update", "--disable-sync", "--no-first-run",
                         "--disable-quic", format!("--window-size={width},{height}"),
                         format!("--user-data-dir={}", profile.display()), "--lang=zh-CN"]
            }
        }}});
        let mut b = Browser {
            driver: child,
            base,
            session: String::new(),
            agent,
            width,
            profile,
        };
        let v = b.call("POST", "/session", Some(caps));
        b.session = v["sessionId"].as_str().expect("session id").to_string();
        Some(b)
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = if path == "/session" {
            format!("{}{path}", self.base)
        } else {
            format!("{}/session/{}{path}", self.base, self.session)
        };
        let req = self.agent.request(method, &url);
        let res = match body {
            Some(b) => req.send_json(b),
            None if method == "POST" => req.send_json(json!({})),
            None => req.call(),
        };
        let text = match res {
            Ok(r) => r.into_string().expect("body"),
            Err(ureq::Error::Status(code, r)) => panic!(
                "webdriver {method} {path}: {code} {}",
                r.into_string().unwrap_or_default()
            ),
            Err(e) => panic!("webdriver {method} {path}: {e}"),
        };
        let v: Value = serde_json::from_str(&text).expect("json");
        v["value"].clone()
    }

    pub fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(json!({"url": url})));
    }

    pub fn url(&self) -> String {
        self.call("GET", "/url", None).as_str().unwrap_or_default().to_string()
    }

    pub fn title(&self) -> String {
        self.call("GET", "/title", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Finds an element by CSS selector, waiting up to 5 s for it to appear.
    pub fn find(&self, css: &str) -> Element {
        let start = Instant::now();
        loop {
            if let Some(e) = self.try_find(css) {
                return e;
            }
            if start.elapsed() > Duration::from_secs(5) {
                self.save_screenshot("not-found");
                panic!("no element matches {css} at {}", self.url());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn try_find(&self, css: &str) -> Option<Element> {
        let url = format!("{}/session/{}/element", self.base, self.session);
        match self
            .agent
            .post(&url)
            .send_json(json!({"using": "css selector", "value": css}))
        {
            Ok(r) => {
                let v: Value = r.into_json().ok()?;
                v["value"][ELEMENT_KEY].as_str().map(|s| Element(s.to_string()))
            }
            Err(_) => None,
        }
    }

    /// Finds the first visible element of `tag` whose text contains `text`, waiting up to 5 s.
    pub fn find_by_text(&self, tag: &str, text: &str) -> Element {
        let js = format!(
            "return Array.from(document.getElementsByTagName({tag:?})).find(e => e.checkVisibility({{contentVisibilityAuto: true, visibilityProperty: true}}) && e.getClientRects().length > 0 && e.textContent.includes({text:?})) || null;"
        );
        let url = format!("{}/session/{}/execute/sync", self.base, self.session);
        let start = Instant::now();
        loop {
            if let Ok(r) = self.agent.post(&url).send_json(json!({"script": js, "args": []}))
                && let Ok(v) = r.into_json::<Value>()
                && let Some(id) = v["value"][ELEMENT_KEY].as_str()
            {
                return Element(id.to_string());
            }
            if start.elapsed() > Duration::from_secs(5) {
                self.save_screenshot("not-found");
                panic!("no visible {tag} containing {text} at {}", self.url());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Clicks something that loads a new page, and waits until the new page has loaded.
    pub fn click_nav(&self, e: &Element) {
        self.script("window.__jzOld = true;");
        self.click(e);
        let url = format!("{}/session/{}/execute/sync", self.base, self.session);
        let probe =
            json!({"script": "return window.__jzOld === undefined && document.readyState === 'complete';", "args": []});
        let start = Instant::now();
        loop {
            if let Ok(r) = self.agent.post(&url).send_json(probe.clone())
                && let Ok(j) = r.into_json::<Value>()
                && j["value"] == json!(true)
            {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "no new page after click at {}",
                self.url()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn type_into(&self, e: &Element, text: &str) {
        self.call("POST", &format!("/element/{}/clear", e.0), None);
        self.call("POST", &format!("/element/{}/value", e.0), Some(json!({"text": text})));
    }

    pub fn click(&self, e: &Element) {
        self.call("POST", &format!("/element/{}/click", e.0), None);
    }

    pub fn text(&self, e: &Element) -> String {
        self.call("GET", &format!("/element/{}/text", e.0), None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The visible text of the current page (read by script, so it never holds a stale element).
    pub fn page_text(&self) -> String {
        self.script("return document.readyState === 'complete' ? document.body.innerText : null;")
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| {
                std::thread::sleep(Duration::from_millis(200));
                self.script("return document.body.innerText;")
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
    }

    pub fn script(&self, js: &str) -> Value {
        self.call("POST", "/execute/sync", Some(json!({"script": js, "args": []})))
    }

    /// Saves a PNG of the viewport under the system temp dir (for failures) and returns its path.
    pub fn save_screenshot(&self, name: &str) -> std::path::PathBuf {
        use base64::Engine;
        let v = self.call("GET", "/screenshot", None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .unwrap_or_default();
        let path = std::env::temp_dir().join(format!("jingzhi-{name}-{}.png", crate::random_suffix()));
        let _ = std::fs::write(&path, png);
        eprintln!("screenshot: {}", path.display());
        path
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self
                .agent
                .delete(&format!("{}/session/{}", self.base, self.session))
                .call();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // Chromium has quit with its session: its profile directory goes too.
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
