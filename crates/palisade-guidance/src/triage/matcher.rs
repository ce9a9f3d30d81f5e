//! The phrase matcher: rules written in a tiny pattern language are compiled
//! once into word ids; a message's tokens are resolved to word ids (exactly,
//! by a stem prefix, or by one typing slip) and every rule is tried at every
//! position where its first word occurs.
//!
//! Pattern language: slots separated by spaces; a slot lists alternatives
//! separated by `|`; `stem*` matches any word starting with `stem`; `~N`
//! allows up to N other words before the next slot; `@name` expands a word
//! list defined in the rule file.

use super::lexicon::{self, Rule};
use super::text::{Token, stem};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

pub(crate) type Wid = u32;

/// A small, fast, non-cryptographic hasher (FxHash) for short word keys.
#[derive(Default, Clone, Copy)]
pub(crate) struct Fx(u64);

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
        self.0 = h;
    }
    fn write_u32(&mut self, i: u32) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

#[derive(Debug)]
struct Slot {
    alts: Box<[Wid]>,
    /// How many other words may come before this slot.
    gap: u8,
}

#[derive(Debug)]
struct Pattern {
    slots: Box<[Slot]>,
    rule: usize,
}

/// A rule that matched, with the token range it covered.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit {
    pub(crate) rule: usize,
    pub(crate) first: usize,
    pub(crate) last: usize,
}

/// Word ids a token resolved to (exact word, stem prefixes, or a near miss).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Resolved {
    ids: [Wid; 4],
    n: u8,
}

impl Resolved {
    fn push(&mut self, w: Wid) {
        let n = usize::from(self.n);
        if n < self.ids.len() && !self.ids[..n].contains(&w) {
            self.ids[n] = w;
            self.n += 1;
        }
    }
    fn ids(&self) -> &[Wid] {
        &self.ids[..usize::from(self.n)]
    }
}

#[derive(Debug, Default)]
pub(crate) struct Compiled {
    exact: FxMap<Box<str>, Wid>,
    prefix: FxMap<Box<str>, Wid>,
    max_prefix: usize,
    /// Lexicon words of six letters or more, and each with one letter
    /// deleted, for catching a single typing slip.
    fuzzy: FxMap<Box<str>, Wid>,
    by_first: FxMap<Wid, Vec<u32>>,
    patterns: Vec<Pattern>,
    pub(crate) rules: Vec<Rule>,
    pub(crate) lists: Vec<(&'static str, &'static str)>,
    /// Rules that failed to read or compile (a test keeps this empty).
    pub(crate) errors: Vec<String>,
}

/// Ordinary words (as stemmed) that are one letter from a rule word and must
/// not be read as a typing slip for it: "overdoing" is not "overdosed".
const NOT_SLIPS: &[&str] = &[
    "overdo", "overdid", "overdone", "strike", "striking", "dyed", "stroke", "stabl", "stable",
    "killer", "skilled", "diet", "lied", "lying", "spain",
];

const MIN_PREFIX: usize = 3;
const MIN_FUZZY: usize = 6;

impl Compiled {
    pub(crate) fn build() -> Self {
        let parsed = lexicon::parse();
        let mut c = Compiled {
            lists: parsed.lists,
            errors: parsed.errors,
            ..Compiled::default()
        };
        for (i, r) in parsed.rules.iter().enumerate() {
            if let Err(e) = c.add(i, r.pattern) {
                c.errors.push(format!("rule {i} ({:?}): {e}", r.pattern));
            }
        }
        c.rules = parsed.rules;
        c.build_fuzzy();
        c
    }

    fn intern(&mut self, word: &str) -> Wid {
        let next = (self.exact.len() + self.prefix.len()) as Wid;
        if let Some(p) = word.strip_suffix('*') {
            self.max_prefix = self.max_prefix.max(p.len());
            *self.prefix.entry(p.into()).or_insert(next)
        } else {
            *self.exact.entry(stem(word).into()).or_insert(next)
        }
    }

    fn add(&mut self, index: usize, pattern: &str) -> Result<(), String> {
        let mut slots = Vec::new();
        let mut gap = 0u8;
        for part in pattern.split_whitespace() {
            if let Some(n) = part.strip_prefix('~') {
                gap = n.parse().map_err(|_| format!("bad gap '{part}'"))?;
                continue;
            }
            let mut alts = Vec::new();
            for alt in part.split('|') {
                if let Some(name) = alt.strip_prefix('@') {
                    let (_, words) = *self
                        .lists
                        .iter()
                        .find(|(n, _)| *n == name)
                        .ok_or_else(|| format!("unknown list @{name}"))?;
                    for w in words.split('|') {
                        alts.push(self.intern(w));
                    }
                } else if alt.is_empty() || (alt.ends_with('*') && alt.len() <= MIN_PREFIX) {
                    return Err(format!("bad word '{alt}'"));
                } else {
                    alts.push(self.intern(alt));
                }
            }
            alts.sort_unstable();
            alts.dedup();
            slots.push(Slot {
                alts: alts.into(),
                gap,
            });
            gap = 0;
        }
        let Some(first) = slots.first() else {
            return Err("empty pattern".into());
        };
        let id = self.patterns.len() as u32;
        for &w in first.alts.iter() {
            self.by_first.entry(w).or_default().push(id);
        }
        self.patterns.push(Pattern {
            slots: slots.into(),
            rule: index,
        });
        Ok(())
    }

    fn build_fuzzy(&mut self) {
        let mut keys: FxMap<Box<str>, Option<Wid>> = FxMap::default();
        let mut add = |k: &str, w: Wid| {
            keys.entry(k.into())
                .and_modify(|v| {
                    if *v != Some(w) {
                        *v = None;
                    }
                })
                .or_insert(Some(w));
        };
        for (word, &w) in &self.exact {
            if word.len() < MIN_FUZZY || !word.is_ascii() {
                continue;
            }
            add(word, w);
            for i in 0..word.len() {
                let mut d = String::with_capacity(word.len());
                d.push_str(&word[..i]);
                d.push_str(&word[i + 1..]);
                add(&d, w);
            }
        }
        // A key that is itself an exact word is never a slip for another.
        self.fuzzy = keys
            .into_iter()
            .filter(|(k, _)| !self.exact.contains_key(k))
            .filter_map(|(k, v)| v.map(|w| (k, w)))
            .collect();
    }

    fn resolve(&self, word: &str) -> Resolved {
        let mut r = Resolved::default();
        if let Some(&w) = self.exact.get(word) {
            r.push(w);
        }
        // Real words one letter away from a lexicon word are not slips for it.
        if NOT_SLIPS.contains(&word) {
            return r;
        }
        if word.is_ascii() && word.len() >= MIN_PREFIX {
            let top = word.len().min(self.max_prefix);
            for k in (MIN_PREFIX..=top).rev() {
                if let Some(&w) = self.prefix.get(&word[..k]) {
                    r.push(w);
                }
            }
        }
        if r.n == 0 && word.is_ascii() && (MIN_FUZZY - 1..=24).contains(&word.len()) {
            if let Some(&w) = self.fuzzy.get(word) {
                r.push(w);
            } else if word.len() >= MIN_FUZZY {
                let b = word.as_bytes();
                let mut buf = [0u8; 24];
                for i in 0..b.len() {
                    buf[..i].copy_from_slice(&b[..i]);
                    buf[i..b.len() - 1].copy_from_slice(&b[i + 1..]);
                    let Ok(d) = std::str::from_utf8(&buf[..b.len() - 1]) else {
                        continue;
                    };
                    let exact = || (d.len() >= MIN_FUZZY).then(|| self.exact.get(d)).flatten();
                    if let Some(&w) = self.fuzzy.get(d).or_else(exact) {
                        r.push(w);
                        break;
                    }
                }
            }
        }
        r
    }

    fn match_at(&self, p: &Pattern, res: &[Resolved], k: usize, pos: usize) -> Option<usize> {
        let Some(slot) = p.slots.get(k) else {
            return Some(pos);
        };
        let gap = if k == 0 { 0 } else { usize::from(slot.gap) };
        for at in pos..=(pos + gap).min(res.len().saturating_sub(1)) {
            let Some(t) = res.get(at) else { break };
            if t.ids().iter().any(|w| slot.alts.binary_search(w).is_ok())
                && let Some(end) = self.match_at(p, res, k + 1, at + 1)
            {
                return Some(end);
            }
        }
        None
    }

    /// Every rule that matches somewhere in `tokens`, each reported once
    /// (its first occurrence).
    pub(crate) fn find(&self, tokens: &[Token], hits: &mut Vec<Hit>) {
        let res: Vec<Resolved> = tokens.iter().map(|t| self.resolve(&t.word)).collect();
        let mut seen = vec![0u64; self.patterns.len().div_ceil(64)];
        for (i, r) in res.iter().enumerate() {
            for w in r.ids() {
                let Some(list) = self.by_first.get(w) else {
                    continue;
                };
                for &pid in list {
                    let pid = pid as usize;
                    let (word, bit) = (pid / 64, 1u64 << (pid % 64));
                    if seen[word] & bit != 0 {
                        continue;
                    }
                    let p = &self.patterns[pid];
                    if let Some(end) = self.match_at(p, &res, 0, i) {
                        seen[word] |= bit;
                        hits.push(Hit {
                            rule: p.rule,
                            first: i,
                            last: end.saturating_sub(1),
                        });
                    }
                }
            }
        }
    }
}
