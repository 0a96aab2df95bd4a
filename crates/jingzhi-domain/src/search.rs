//! 中文检索分词 (Chinese search tokens): text → a token string for a full-text index column, and a
//! query → the tokens to AND, with the same function on both sides.
//!
//! Why (stack-notes §B8): SQLite FTS5 `unicode61` and PostgreSQL `to_tsvector('simple', …)` treat an
//! unsegmented Chinese sentence as one token, and FTS5 `trigram` silently misses 2-character queries
//! such as 油烟. So the application segments: every run of CJK characters becomes its overlapping
//! bigrams (饭店油烟扰民 → 饭店 店油 油烟 烟扰 扰民), ASCII words and numbers become lower-case tokens,
//! and the token string (space-separated) goes into a `search_text` column indexed by FTS5
//! `unicode61` or `to_tsvector('simple', search_text)`. A query is tokenised the same way; a CJK run
//! of the query is a *phrase* of its bigrams (adjacent tokens, so 饭店油烟 matches only where those four
//! characters are consecutive), and the phrases and words are ANDed.
//!
//! Single CJK characters: an isolated one-character run of the text is indexed as itself (so it is
//! not lost), but a one-character query cannot be answered from bigrams (烟 occurs inside 油烟, 烟扰…),
//! so [`SearchQuery::needs_like_fallback`] tells the caller to use `LIKE '%烟%'` for those terms.
//! Indexing every character as well would double the index and make most 1-character queries slow
//! anyway (too frequent to be useful); LIKE on a 1-character term is the rare, honest fallback.

/// True for CJK ideographs (URO, extensions A–F, compatibility ideographs) and 〇.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2EBEF}'
        | '\u{3007}')
}

/// Normalises text for matching: full-width ASCII forms (ＡＢＣ１２３，！) become half-width, the
/// ideographic space becomes a space, ASCII letters are lower-cased. CJK text is unchanged.
pub fn normalize(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A piece of normalised text: a run of CJK characters or a word of other letters/digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment<'a> {
    Cjk(&'a str),
    Word(&'a str),
}

/// Splits normalised text into CJK runs and words (letters and digits of other scripts, e.g.
/// `ktv`, `12345`, `a3`); everything else (punctuation, spaces, symbols such as ㎡) separates.
pub fn segments(normalized: &str) -> Vec<Segment<'_>> {
    #[derive(PartialEq, Clone, Copy)]
    enum K {
        Cjk,
        Word,
        Sep,
    }
    let kind = |c: char| {
        if is_cjk(c) {
            K::Cjk
        } else if c.is_alphanumeric() {
            K::Word
        } else {
            K::Sep
        }
    };
    let mut out = Vec::new();
    let mut start = 0;
    let mut cur = K::Sep;
    for (i, c) in normalized.char_indices() {
        let k = kind(c);
        if k != cur {
            push_segment(&mut out, &normalized[start..i], cur == K::Cjk, cur == K::Word);
            start = i;
            cur = k;
        }
    }
    push_segment(&mut out, &normalized[start..], cur == K::Cjk, cur == K::Word);
    out
}

fn push_segment<'a>(out: &mut Vec<Segment<'a>>, s: &'a str, cjk: bool, word: bool) {
    if s.is_empty() {
        return;
    }
    if cjk {
        out.push(Segment::Cjk(s));
    } else if word {
        out.push(Segment::Word(s));
    }
}

/// Overlapping bigrams of a CJK run; a one-character run gives itself.
pub fn bigrams(run: &str) -> Vec<&str> {
    let idx: Vec<usize> = run.char_indices().map(|(i, _)| i).chain([run.len()]).collect();
    let n = idx.len() - 1;
    if n <= 1 {
        return if n == 1 { vec![run] } else { Vec::new() };
    }
    (0..n - 1).map(|k| &run[idx[k]..idx[k + 2]]).collect()
}

/// The token string to store in the full-text column: space-separated, in text order (so that
/// phrase queries over adjacent bigrams work).
pub fn index_tokens(text: &str) -> String {
    let norm = normalize(text);
    let mut out = String::with_capacity(norm.len() * 2);
    for seg in segments(&norm) {
        let toks: Vec<&str> = match seg {
            Segment::Cjk(run) => bigrams(run),
            Segment::Word(w) => vec![w],
        };
        for t in toks {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(t);
        }
    }
    out
}

/// A tokenised search query: phrases to AND in the full-text index, plus terms that must be
/// matched with `LIKE` (one CJK character).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchQuery {
    /// Each phrase is a list of adjacent tokens (the bigrams of one CJK run, or one word).
    pub phrases: Vec<Vec<String>>,
    /// One-character CJK terms the index cannot answer: match them with `LIKE '%x%'`.
    pub like_terms: Vec<String>,
}

impl SearchQuery {
    /// Tokenises a query with the same rules as [`index_tokens`].
    pub fn parse(query: &str) -> SearchQuery {
        let norm = normalize(query);
        let mut q = SearchQuery::default();
        for seg in segments(&norm) {
            match seg {
                Segment::Cjk(run) if run.chars().count() == 1 => {
                    if !q.like_terms.iter().any(|t| t == run) {
                        q.like_terms.push(run.to_string());
                    }
                }
                Segment::Cjk(run) => {
                    let p: Vec<String> = bigrams(run).into_iter().map(str::to_string).collect();
                    if !q.phrases.contains(&p) {
                        q.phrases.push(p);
                    }
                }
                Segment::Word(w) => {
                    let p = vec![w.to_string()];
                    if !q.phrases.contains(&p) {
                        q.phrases.push(p);
                    }
                }
            }
        }
        q
    }

    /// True when nothing searchable is left (empty or punctuation-only query).
    pub fn is_empty(&self) -> bool {
        self.phrases.is_empty() && self.like_terms.is_empty()
    }

    /// True when some term must be matched with `LIKE` (a one-character CJK query term).
    pub fn needs_like_fallback(&self) -> bool {
        !self.like_terms.is_empty()
    }

    /// All index tokens, each once, in query order (what the AND is over).
    pub fn tokens(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for t in self.phrases.iter().flatten() {
            if !out.contains(&t.as_str()) {
                out.push(t);
            }
        }
        out
    }

    /// The FTS5 `MATCH` expression (`"饭店 店油 油烟" AND "ktv"`), or `None` when only `LIKE` terms
    /// remain. Tokens are letters, digits and CJK only, so quoting is safe.
    pub fn fts5_match(&self) -> Option<String> {
        if self.phrases.is_empty() {
            return None;
        }
        let parts: Vec<String> = self.phrases.iter().map(|p| format!("\"{}\"", p.join(" "))).collect();
        Some(parts.join(" AND "))
    }

    /// The PostgreSQL query text for `to_tsquery('simple', $1)` (`'饭店' <-> '店油' <-> '油烟' & 'ktv'`),
    /// or `None` when only `LIKE` terms remain.
    pub fn pg_tsquery(&self) -> Option<String> {
        if self.phrases.is_empty() {
            return None;
        }
        let parts: Vec<String> = self
            .phrases
            .iter()
            .map(|p| {
                let toks: Vec<String> = p.iter().map(|t| format!("'{t}'")).collect();
                if toks.len() > 1 {
                    format!("({})", toks.join(" <-> "))
                } else {
                    toks.join("")
                }
            })
            .collect();
        Some(parts.join(" & "))
    }

    /// `LIKE` patterns (`%烟%`) for the fallback terms. `%`, `_` and `\` cannot occur in a term.
    pub fn like_patterns(&self) -> Vec<String> {
        self.like_terms.iter().map(|t| format!("%{t}%")).collect()
    }

    /// Reference semantics of the query against an indexed token string (what FTS5 and PostgreSQL
    /// answer), with `LIKE` terms checked against the original `text`. Used by tests and by callers
    /// that filter in memory.
    pub fn matches(&self, index_tokens: &str, text: &str) -> bool {
        if self.is_empty() {
            return false;
        }
        let toks: Vec<&str> = index_tokens.split(' ').filter(|t| !t.is_empty()).collect();
        let phrase_ok = |p: &Vec<String>| toks.windows(p.len()).any(|w| w.iter().zip(p).all(|(a, b)| a == b));
        let norm = normalize(text);
        self.phrases.iter().all(phrase_ok) && self.like_terms.iter().all(|t| norm.contains(t.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_full_width() {
        assert_eq!(normalize("ＫＴＶ１２３，ａ　b"), "ktv123,a b");
    }

    #[test]
    fn bigrams_of_runs() {
        assert_eq!(bigrams("油烟扰民"), vec!["油烟", "烟扰", "扰民"]);
        assert_eq!(bigrams("烟"), vec!["烟"]);
        assert!(bigrams("").is_empty());
    }
}
