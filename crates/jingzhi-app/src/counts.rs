//! Totals of lists, kept briefly per server: counting up to a list's cap is most of a list
//! page's cost at a million rows, and a total changes only when its rows do. A change through
//! this server forgets every total of its kind at once ([`TotalCache::invalidate`]); changes
//! through another server show within [`TotalCache::TTL`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Default)]
pub struct TotalCache {
    generation: AtomicU64,
    entries: Mutex<HashMap<String, (u64, Instant, i64)>>,
}

impl TotalCache {
    pub const TTL: Duration = Duration::from_secs(10);
    /// Totals kept at most (past it, the stale ones go, and all if none is stale).
    const MAX: usize = 1000;

    /// Forgets every total (after a change of the rows they count).
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Take before counting, give to [`TotalCache::put`]: a total counted across a change is not
    /// kept.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    pub fn get(&self, key: &str) -> Option<i64> {
        let g = self.generation();
        let m = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        m.get(key)
            .filter(|(gen_, at, _)| *gen_ == g && at.elapsed() < Self::TTL)
            .map(|(_, _, n)| *n)
    }

    pub fn put(&self, generation: u64, key: String, total: i64) {
        let mut m = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let g = self.generation();
        if generation != g {
            return;
        }
        if m.len() >= Self::MAX {
            m.retain(|_, (gen_, at, _)| *gen_ == g && at.elapsed() < Self::TTL);
            if m.len() >= Self::MAX {
                m.clear();
            }
        }
        m.insert(key, (g, Instant::now(), total));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_total_is_kept_until_a_change_and_one_counted_across_a_change_is_not() {
        let c = TotalCache::default();
        let g = c.generation();
        c.put(g, "a".into(), 7);
        assert_eq!(c.get("a"), Some(7));
        assert_eq!(c.get("b"), None);
        c.invalidate();
        assert_eq!(c.get("a"), None, "forgotten after a change");
        let before = c.generation();
        c.invalidate();
        c.put(before, "a".into(), 9);
        assert_eq!(c.get("a"), None, "counted before the change: not kept");
        c.put(c.generation(), "a".into(), 10);
        assert_eq!(c.get("a"), Some(10));
    }
}
