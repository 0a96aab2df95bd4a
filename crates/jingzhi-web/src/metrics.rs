//! Prometheus metrics, labelled by route pattern (never by raw path, so ids do not explode the
//! label space). A small registry of our own: a counter and a latency histogram per
//! (method, route, status class).

use crate::WebState;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

const BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; 12],
}

#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, String, u16), Series>>,
}

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let mut m = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let s = m.entry((method.to_string(), route.to_string(), status)).or_default();
        s.count += 1;
        s.sum += seconds;
        for (i, b) in BUCKETS.iter().enumerate() {
            if seconds <= *b {
                s.buckets[i] += 1;
            }
        }
    }

    pub fn render(&self) -> String {
        let m = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        out.push_str("# HELP jingzhi_http_requests_total HTTP requests by route pattern and status.\n");
        out.push_str("# TYPE jingzhi_http_requests_total counter\n");
        for ((method, route, status), s) in m.iter() {
            let _ = writeln!(
                out,
                "jingzhi_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {}",
                s.count
            );
        }
        out.push_str("# HELP jingzhi_http_request_duration_seconds HTTP request latency by route pattern.\n");
        out.push_str("# TYPE jingzhi_http_request_duration_seconds histogram\n");
        let mut merged: BTreeMap<(&str, &str), (u64, f64, [u64; 12])> = BTreeMap::new();
        for ((method, route, _), s) in m.iter() {
            let e = merged.entry((method, route)).or_insert((0, 0.0, [0; 12]));
            e.0 += s.count;
            e.1 += s.sum;
            for i in 0..12 {
                e.2[i] += s.buckets[i];
            }
        }
        for ((method, route), (count, sum, buckets)) in merged {
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "jingzhi_http_request_duration_seconds_bucket{{method=\"{method}\",route=\"{route}\",le=\"{b}\"}} {}",
                    buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "jingzhi_http_request_duration_seconds_bucket{{method=\"{method}\",route=\"{route}\",le=\"+Inf\"}} {count}"
            );
            let _ = writeln!(
                out,
                "jingzhi_http_request_duration_seconds_sum{{method=\"{method}\",route=\"{route}\"}} {sum}"
            );
            let _ = writeln!(
                out,
                "jingzhi_http_request_duration_seconds_count{{method=\"{method}\",route=\"{route}\"}} {count}"
            );
        }
        out
    }
}

/// Middleware: times each request, records it by matched route, logs it.
pub async fn track(State(s): State<WebState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let res = next.run(req).await;
    let secs = start.elapsed().as_secs_f64();
    let status = res.status().as_u16();
    s.metrics.observe(&method, &route, status, secs);
    if status >= 500 {
        tracing::warn!(%method, %route, status, ms = secs * 1000.0, "request");
    } else {
        tracing::debug!(%method, %route, status, ms = secs * 1000.0, "request");
    }
    res
}

pub async fn render(State(s): State<WebState>) -> Response {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        s.metrics.render(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn histogram_counts_cumulatively() {
        let m = super::Metrics::default();
        m.observe("GET", "/admin/users/{id}", 200, 0.003);
        m.observe("GET", "/admin/users/{id}", 404, 0.2);
        let text = m.render();
        assert!(
            text.contains("jingzhi_http_requests_total{method=\"GET\",route=\"/admin/users/{id}\",status=\"200\"} 1")
        );
        assert!(text.contains("route=\"/admin/users/{id}\",le=\"0.005\"} 1"));
        assert!(text.contains("route=\"/admin/users/{id}\",le=\"0.25\"} 2"));
        assert!(text.contains("_count{method=\"GET\",route=\"/admin/users/{id}\"} 2"));
    }
}
