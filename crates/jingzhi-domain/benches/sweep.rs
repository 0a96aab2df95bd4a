//! Sweep benchmark: 1,000,000 open items with mixed rules, classified at one `now`.
//!
//! Run: `cargo bench -p jingzhi-domain --bench sweep` (optimised build, one thread).
//! Prints the median over several runs of the sweep and of two baselines measured in the same
//! run: plain iteration over the items, and "anchor + N natural days" with a rule lookup (what a
//! naive sweep without a calendar would cost). Results go to docs/BENCHMARKS.md.
#![allow(clippy::disallowed_methods)] // Instant::now is fine in a benchmark

use jiff::{SignedDuration, Timestamp};
use jingzhi_domain::clock::*;
use std::hint::black_box;
use std::time::{Duration, Instant};

const ITEMS: usize = 1_000_000;
const RUNS: usize = 9;

/// Small deterministic generator (no extra dependency).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Stored {
    rule: usize,
    anchor: Timestamp,
    susp: Vec<Suspension>,
    ext: Vec<Extension>,
}

fn generate(rules: &RuleSet, now: Timestamp) -> Vec<Stored> {
    let mut g = Lcg(20260301);
    let start = jingzhi_domain::time::parse_instant("2025-01-01T00:00").unwrap();
    let rule_count = rules.len() as u64;
    (0..ITEMS)
        .map(|_| {
            let rule = g.below(rule_count) as usize;
            let r = &rules.rules()[rule];
            // Anchors spread over 2025-01-01 … 2026-12-31 (some run into 2027: provisional).
            let anchor = start
                .checked_add(SignedDuration::from_secs(g.below(730 * 86_400) as i64))
                .unwrap();
            let mut susp = Vec::new();
            if r.suspension.is_some() {
                let roll = g.below(100);
                if roll < 10 {
                    let s = anchor
                        .checked_add(SignedDuration::from_hours(g.below(600) as i64))
                        .unwrap();
                    let e = s
                        .checked_add(SignedDuration::from_hours(1 + g.below(400) as i64))
                        .unwrap();
                    susp.push(Suspension::closed(s, e, "听证", "张三"));
                } else if roll < 13 {
                    let s = anchor
                        .checked_add(SignedDuration::from_hours(g.below(600) as i64))
                        .unwrap();
                    if s < now {
                        susp.push(Suspension::open(s, "检测鉴定", "张三"));
                    }
                }
            }
            let mut ext = Vec::new();
            if let Some(p) = &r.extension
                && g.below(100) < 5
            {
                let max = p.max_length.unwrap_or(10).min(10);
                ext.push(Extension::new(1 + g.below(max as u64) as u32, "李四", "情况复杂"));
            }
            Stored {
                rule,
                anchor,
                susp,
                ext,
            }
        })
        .collect()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<F: FnMut() -> u64>(mut f: F) -> (Duration, Vec<Duration>) {
    let mut all = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t = Instant::now();
        black_box(f());
        all.push(t.elapsed());
    }
    (median(all.clone()), all)
}

fn report(name: &str, med: Duration, all: &[Duration]) {
    let per_100k = med.as_secs_f64() * 1e3 * 100_000.0 / ITEMS as f64;
    let ns_item = med.as_secs_f64() * 1e9 / ITEMS as f64;
    let min = all.iter().min().unwrap();
    let max = all.iter().max().unwrap();
    println!(
        "{name:<44} median {:>8.2} ms  (min {:>7.2}, max {:>7.2})  {:>7.2} ms per 100k  {:>6.1} ns/item",
        med.as_secs_f64() * 1e3,
        min.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3,
        per_100k,
        ns_item
    );
}

fn main() {
    let t0 = Instant::now();
    let rules = default_rules();
    let cal = default_calendar();
    let setup = t0.elapsed();
    let now = jingzhi_domain::time::parse_instant("2026-06-15T10:00").unwrap();
    let stored = generate(&rules, now);
    let items: Vec<OpenItem<'_>> = stored
        .iter()
        .map(|s| OpenItem {
            rule: &rules.rules()[s.rule].code,
            anchor: s.anchor,
            suspensions: &s.susp,
            extensions: &s.ext,
        })
        .collect();
    let with_susp = stored.iter().filter(|s| !s.susp.is_empty()).count();
    let with_ext = stored.iter().filter(|s| !s.ext.is_empty()).count();
    println!(
        "items: {ITEMS} over {} rules ({with_susp} with a suspension, {with_ext} with an extension); runs: {RUNS}; \
         rules+calendar load: {:.2} ms",
        rules.len(),
        setup.as_secs_f64() * 1e3
    );

    // Baseline 1: iterate the items.
    let (m, all) = time(|| {
        items.iter().fold(0u64, |acc, i| {
            acc.wrapping_add(i.anchor.as_second() as u64 ^ i.rule.len() as u64)
        })
    });
    report("baseline: iterate items", m, &all);

    // Baseline 2: rule lookup + anchor + N natural days, overdue or not.
    let (m, all) = time(|| {
        let now_s = now.as_second();
        items
            .iter()
            .filter(|i| {
                let r = rules.get(i.rule).unwrap();
                i.anchor.as_second() + r.length as i64 * 86_400 < now_s
            })
            .count() as u64
    });
    report("baseline: rule lookup + anchor + N days", m, &all);

    // The sweep (the public API: one Result per item).
    let mut last = None;
    let (m, all) = time(|| {
        let out = sweep(&rules, &cal, &items, now);
        let n = out.len() as u64;
        last = Some(out);
        n
    });
    report("sweep (clock::sweep, collect results)", m, &all);
    let summary = SweepSummary::of(last.as_deref().unwrap());
    println!(
        "states: running {}, due_soon {}, overdue {}, suspended {}, elapsed {}, invalid {}, provisional {}",
        summary.running,
        summary.due_soon,
        summary.overdue,
        summary.suspended,
        summary.elapsed,
        summary.invalid,
        summary.provisional
    );
    assert_eq!(summary.invalid, 0, "generated items must all be valid");

    // The sweep counting alerts only (no result vector).
    let (m, all) = time(|| {
        let s = Sweeper::new(&rules, &cal, now);
        items
            .iter()
            .filter(|i| s.classify(i).is_ok_and(|st| st.state.is_alert()))
            .count() as u64
    });
    report("sweep (Sweeper::classify, count alerts)", m, &all);

    // For scale: the full computation with explanation strings, on 100,000 items.
    let sample = &items[..100_000];
    let (m, all) = time(|| {
        sample
            .iter()
            .map(|i| {
                let input = ClockInput {
                    anchor: i.anchor,
                    suspensions: i.suspensions,
                    extensions: i.extensions,
                    met_at: None,
                };
                rules.compute(i.rule, &cal, &input, now).unwrap().explanation().len() as u64
            })
            .sum()
    });
    println!(
        "{:<44} median {:>8.2} ms for 100k items  {:>6.1} ns/item",
        "compute + explanation (not the sweep)",
        m.as_secs_f64() * 1e3,
        m.as_secs_f64() * 1e9 / 100_000.0
    );
    let _ = all;
}
