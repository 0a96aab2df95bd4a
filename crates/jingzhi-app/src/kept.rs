//! What a server keeps briefly in memory, by key: list totals, API keys, signed-in sessions.
//! Each kind is a [`Kept`] with its own lifetime. A change through this server forgets every
//! entry of its kind at once ([`Kept::clear`], after the change's commit); a value read before
//! such a change is not kept ([`Kept::generation`], taken before the read); changes through
//! another server show within the lifetime.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Values kept up to `TTL_SECS` seconds, at most `MAX` of them (past it, the stale ones go, and
/// all if none is stale).
pub struct Kept<V, const TTL_SECS: u64, const MAX: usize> {
    generation: AtomicU64,
    entries: Mutex<HashMap<String, (Instant, V)>>,
}

impl<V, const TTL_SECS: u64, const MAX: usize> Default for Kept<V, TTL_SECS, MAX> {
    fn default() -> Self {
        Kept {
            generation: AtomicU64::new(0),
            entries: Mutex::new(HashMap::new()),
        }
    }
}

/// Totals of lists (case lists; filtered clue lists and searches), by filter: counting up to a
/// list's cap is most of a list page's cost at a million rows, and a total changes only when its
/// rows do.
pub type TotalCache = Kept<i64, 10, 1000>;

impl<V: Clone, const TTL_SECS: u64, const MAX: usize> Kept<V, TTL_SECS, MAX> {
    pub const TTL: Duration = Duration::from_secs(TTL_SECS);

    /// Take before reading what will be kept, give to [`Kept::put`].
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    pub fn get(&self, key: &str) -> Option<V> {
        let m = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        m.get(key)
            .filter(|(at, _)| at.elapsed() < Self::TTL)
            .map(|(_, v)| v.clone())
    }

    /// Keeps a value read since `generation` was taken, unless the kind was cleared meanwhile.
    pub fn put(&self, generation: u64, key: String, value: V) {
        let mut m = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        // Checked under the lock `clear` takes: a clearing after this check empties the map after
        // this entry is in it.
        if self.generation() != generation {
            return;
        }
        if m.len() >= MAX {
            m.retain(|_, (at, _)| at.elapsed() < Self::TTL);
            if m.len() >= MAX {
                m.clear();
            }
        }
        m.insert(key, (Instant::now(), value));
    }

    /// Changes a kept value in place (its age stays).
    pub fn update(&self, key: &str, f: impl FnOnce(&mut V)) {
        if let Some((_, v)) = self.entries.lock().unwrap_or_else(|p| p.into_inner()).get_mut(key) {
            f(v);
        }
    }

    /// Forgets every value (after a change of what they were read from).
    pub fn clear(&self) {
        let mut m = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        self.generation.fetch_add(1, Ordering::SeqCst);
        m.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_kept_until_a_change_and_one_read_across_a_change_is_not() {
        let c = TotalCache::default();
        let g = c.generation();
        c.put(g, "a".into(), 7);
        assert_eq!(c.get("a"), Some(7));
        assert_eq!(c.get("b"), None);
        c.update("a", |v| *v += 1);
        assert_eq!(c.get("a"), Some(8));
        c.clear();
        assert_eq!(c.get("a"), None, "forgotten after a change");
        let before = c.generation();
        c.clear();
        c.put(before, "a".into(), 9);
        assert_eq!(c.get("a"), None, "read before the change: not kept");
        c.put(c.generation(), "a".into(), 10);
        assert_eq!(c.get("a"), Some(10));
    }

    #[test]
    fn past_its_size_stale_values_go_then_all() {
        let c: Kept<i64, 10, 2> = Kept::default();
        let g = c.generation();
        c.put(g, "a".into(), 1);
        c.put(g, "b".into(), 2);
        c.put(g, "c".into(), 3);
        assert_eq!((c.get("a"), c.get("b"), c.get("c")), (None, None, Some(3)));
    }
}
