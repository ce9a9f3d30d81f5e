//! The fast read path of the web application: case views kept in memory
//! while they are current.
//!
//! A view is cached under its case id together with the leaf index of the
//! case's newest record when it was folded. Every write to a case appends a
//! record, so the newest leaf changes with every write; a reader asks the
//! store for it (one index seek, no decryption) and uses the cached view only
//! when it still matches. A revoked share, a new entry, a closed case: each
//! is seen by the very next read. Records are decrypted and folded only on a
//! miss.
//!
//! Two caches are kept:
//! - views (`Arc<CaseView>`, shared by every concurrent reader), bounded by
//!   number of cases and by the records they hold, least recently used first;
//! - [`CaseFacts`]: who owns a case, who it is shared with, its live flags and
//!   whether it is open. These are small, kept for every case asked about, and
//!   filled without decrypting the case's entries when its view is not cached.
//!
//! `Palisade::case` stays uncached: verification and export read the
//! ledger itself.

use crate::error::{Result, ServiceError};
use crate::ledger::Palisade;
use palisade_core::access::Relation;
use palisade_core::domain::RecordKind;
use palisade_core::view::{self, CaseView, LedgerRecord};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

/// Cases whose views are kept at most.
const MAX_VIEWS: usize = 256;
/// Records the kept views may hold together (a case imported from years of
/// messages can hold a million; it is then folded on each read instead).
const MAX_VIEW_RECORDS: u64 = 2_000_000;
/// Cases whose facts are kept at most (they are small).
const MAX_FACTS: usize = 100_000;

/// A flag published for colleagues, with the case it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedFlag {
    pub case_id: String,
    pub flag_id: String,
    /// The flag record's place in the ledger (later flags have larger ones).
    pub leaf_index: u64,
    pub patient: String,
    pub text: String,
    pub by: String,
    pub published_at: String,
}

/// Who may reach a case: its owner and the users it is shared with now.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct CaseAccess {
    /// The owner as recorded when the case was opened: a user id for cases
    /// opened in the web application, free text for cases opened from the CLI.
    pub owner: Option<String>,
    /// Users with an active (not revoked) share.
    pub shared_with: BTreeSet<String>,
}

impl CaseAccess {
    /// How `user_id` stands to the case.
    pub fn relation(&self, user_id: &str) -> Relation {
        if user_id.is_empty() {
            Relation::None
        } else if self.owner.as_deref() == Some(user_id) {
            Relation::Owner
        } else if self.shared_with.contains(user_id) {
            Relation::Shared
        } else {
            Relation::None
        }
    }
}

/// What the web needs to know about a case without reading its content.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CaseFacts {
    pub access: CaseAccess,
    pub open: bool,
    /// Active flags, in ledger order.
    pub flags: Vec<PublishedFlag>,
}

impl CaseFacts {
    fn of(v: &CaseView) -> Self {
        CaseFacts {
            access: CaseAccess {
                owner: v.owner.clone(),
                shared_with: v
                    .shares
                    .iter()
                    .filter(|s| s.is_active())
                    .map(|s| s.user.clone())
                    .collect(),
            },
            open: !v.is_closed(),
            flags: v
                .active_flags()
                .map(|f| PublishedFlag {
                    case_id: v.id.clone(),
                    flag_id: f.id.clone(),
                    leaf_index: f.leaf_index,
                    patient: f.patient.clone(),
                    text: f.text.clone(),
                    by: f.by.clone().unwrap_or_default(),
                    published_at: f.published_at.clone(),
                })
                .collect(),
        }
    }
}

struct ViewSlot {
    newest: u64,
    view: Arc<CaseView>,
    used: u64,
}

#[derive(Default)]
struct Inner {
    views: HashMap<String, ViewSlot>,
    view_records: u64,
    facts: HashMap<String, (u64, Arc<CaseFacts>)>,
    tick: u64,
}

impl Inner {
    fn evict_one_view(&mut self) -> bool {
        let Some(oldest) = self
            .views
            .iter()
            .min_by_key(|(_, s)| s.used)
            .map(|(k, _)| k.clone())
        else {
            return false;
        };
        if let Some(s) = self.views.remove(&oldest) {
            self.view_records -= s.view.records;
        }
        true
    }
}

/// The cache itself; one per open [`Palisade`].
#[derive(Default)]
pub struct CaseCache {
    inner: Mutex<Inner>,
    /// One gate per case being folded, so that readers arriving together
    /// after a write wait for one fold instead of each decrypting the case.
    gates: Mutex<HashMap<String, Arc<Mutex<()>>>>,
}

impl std::fmt::Debug for CaseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaseCache").finish_non_exhaustive()
    }
}

impl CaseCache {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves only a cache behind: carry on with it.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn view(&self, case_id: &str, newest: u64) -> Option<Arc<CaseView>> {
        let mut inner = self.lock();
        inner.tick += 1;
        let tick = inner.tick;
        let slot = inner.views.get_mut(case_id)?;
        if slot.newest != newest {
            return None;
        }
        slot.used = tick;
        Some(slot.view.clone())
    }

    fn put_view(&self, case_id: &str, newest: u64, view: Arc<CaseView>) {
        let mut inner = self.lock();
        if let Some(old) = inner.views.get(case_id) {
            // A reader that folded an older state must not replace a newer one.
            if old.newest > newest {
                return;
            }
        }
        if let Some(old) = inner.views.remove(case_id) {
            inner.view_records -= old.view.records;
        }
        if view.records > MAX_VIEW_RECORDS / 2 {
            return;
        }
        while inner.views.len() >= MAX_VIEWS || inner.view_records + view.records > MAX_VIEW_RECORDS
        {
            if !inner.evict_one_view() {
                break;
            }
        }
        inner.tick += 1;
        let used = inner.tick;
        inner.view_records += view.records;
        inner
            .views
            .insert(case_id.to_string(), ViewSlot { newest, view, used });
    }

    fn facts(&self, case_id: &str, newest: u64) -> Option<Arc<CaseFacts>> {
        let inner = self.lock();
        inner
            .facts
            .get(case_id)
            .filter(|(n, _)| *n == newest)
            .map(|(_, f)| f.clone())
    }

    fn put_facts(&self, case_id: &str, newest: u64, facts: Arc<CaseFacts>) {
        let mut inner = self.lock();
        if inner.facts.get(case_id).is_some_and(|(n, _)| *n > newest) {
            return;
        }
        if inner.facts.len() >= MAX_FACTS && !inner.facts.contains_key(case_id) {
            inner.facts.clear();
        }
        inner.facts.insert(case_id.to_string(), (newest, facts));
    }

    /// The gate of one case (see `gates`).
    fn gate(&self, case_id: &str) -> Arc<Mutex<()>> {
        let mut gates = self
            .gates
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if gates.len() >= MAX_FACTS && !gates.contains_key(case_id) {
            // Only gates nobody holds are dropped.
            gates.retain(|_, g| Arc::strong_count(g) > 1);
        }
        gates.entry(case_id.to_string()).or_default().clone()
    }

    /// How many views are kept (for tests and diagnostics).
    pub fn views_kept(&self) -> usize {
        self.lock().views.len()
    }
}

/// Records a case's facts are folded from when its view is not at hand.
const FACT_KINDS: &[RecordKind] = &[
    RecordKind::CaseOpened,
    RecordKind::CaseClosed,
    RecordKind::Share,
    RecordKind::ShareRevoked,
    RecordKind::Flag,
    RecordKind::FlagWithdrawn,
];

/// Records the rules for shares, flags and the register are checked against.
pub(crate) const RULE_KINDS: &[RecordKind] = &[
    RecordKind::CaseOpened,
    RecordKind::CaseClosed,
    RecordKind::Share,
    RecordKind::ShareRevoked,
    RecordKind::Flag,
    RecordKind::FlagWithdrawn,
    RecordKind::Exhibit,
    RecordKind::Custody,
];

impl Palisade {
    /// The leaf index of the case's newest record; `NotFound` for no such case.
    fn newest_leaf(&self, case_id: &str) -> Result<u64> {
        self.store
            .case_newest_leaf(case_id)?
            .ok_or_else(|| ServiceError::NotFound {
                what: "case",
                id: case_id.to_string(),
            })
    }

    /// The case as people read it (with each message's triage attached, as
    /// [`Palisade::case_for_reading`]), from the cache while no record has been
    /// added to the case since it was folded. The `Arc` lets every concurrent
    /// reader share one copy.
    pub fn case_shared(&self, case_id: &str) -> Result<Arc<CaseView>> {
        let newest = self.newest_leaf(case_id)?;
        if let Some(v) = self.case_cache.view(case_id, newest) {
            return Ok(v);
        }
        let gate = self.case_cache.gate(case_id);
        let _folding = gate
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Another reader may have folded the case while this one waited.
        let newest = self.newest_leaf(case_id)?;
        if let Some(v) = self.case_cache.view(case_id, newest) {
            return Ok(v);
        }
        let records = self.case_records(case_id)?;
        let folded_at = records.last().map_or(newest, |r| r.leaf_index);
        let mut v = view::fold_case(case_id, &records)
            .map_err(|e| ServiceError::Integrity(e.to_string()))?;
        palisade_guidance::annotate(&mut v);
        let v = Arc::new(v);
        self.case_cache.put_view(case_id, folded_at, v.clone());
        self.case_cache
            .put_facts(case_id, folded_at, Arc::new(CaseFacts::of(&v)));
        Ok(v)
    }

    /// Owner, shares, flags and status of a case, cheaply: from the cache, or
    /// folded from the case's opening, closing, share and flag records alone
    /// (its entries are not decrypted).
    pub fn case_facts(&self, case_id: &str) -> Result<Arc<CaseFacts>> {
        let newest = self.newest_leaf(case_id)?;
        if let Some(f) = self.case_cache.facts(case_id, newest) {
            return Ok(f);
        }
        if let Some(v) = self.case_cache.view(case_id, newest) {
            let f = Arc::new(CaseFacts::of(&v));
            self.case_cache.put_facts(case_id, newest, f.clone());
            return Ok(f);
        }
        let (folded_at, v) = self.fold_only(case_id, FACT_KINDS, &[])?;
        let f = Arc::new(CaseFacts::of(&v));
        self.case_cache.put_facts(case_id, folded_at, f.clone());
        Ok(f)
    }

    /// A partial view of a case folded from its records of `kinds` and the
    /// entries `entries` (those of them that are entries of the case) alone:
    /// only those are read and decrypted. Returns the case's newest leaf with it.
    pub(crate) fn fold_only(
        &self,
        case_id: &str,
        kinds: &[RecordKind],
        entries: &[&str],
    ) -> Result<(u64, CaseView)> {
        let index = self.store.case_index(case_id)?;
        let Some(newest) = index.last().map(|h| h.leaf_index) else {
            return Err(ServiceError::NotFound {
                what: "case",
                id: case_id.to_string(),
            });
        };
        let mut records = Vec::new();
        for head in index.iter().filter(|h| {
            kinds.iter().any(|k| k.as_str() == h.kind)
                || (h.kind == RecordKind::Entry.as_str() && entries.contains(&h.id.as_str()))
        }) {
            let row = self.store.record(&head.id)?.ok_or_else(|| {
                ServiceError::Integrity(format!(
                    "record {} ({}) is listed for case {case_id} but cannot be read",
                    head.leaf_index, head.id
                ))
            })?;
            records.push(LedgerRecord {
                leaf_index: row.leaf_index,
                record: self.open_record(&row)?,
            });
        }
        let v = view::fold_case(case_id, &records)
            .map_err(|e| ServiceError::Integrity(e.to_string()))?;
        Ok((newest, v))
    }

    /// The case as the rules for shares, flags and the register need it: the
    /// cached view when current, else a partial view of the records those
    /// rules read (plus the entries `entries`), so a large case is not
    /// decrypted to share it.
    pub(crate) fn case_for_rules(&self, case_id: &str, entries: &[&str]) -> Result<Arc<CaseView>> {
        let newest = self.newest_leaf(case_id)?;
        if let Some(v) = self.case_cache.view(case_id, newest) {
            return Ok(v);
        }
        Ok(Arc::new(self.fold_only(case_id, RULE_KINDS, entries)?.1))
    }

    /// The owner and active shares of a case (cached; current as of this call).
    pub fn case_access(&self, case_id: &str) -> Result<CaseAccess> {
        Ok(self.case_facts(case_id)?.access.clone())
    }

    /// Every active flag in every open case, newest first (for colleagues).
    pub fn published_flags(&self) -> Result<Vec<PublishedFlag>> {
        let mut out = Vec::new();
        for id in self.store.case_ids()? {
            let f = self.case_facts(&id)?;
            if f.open {
                out.extend(f.flags.iter().cloned());
            }
        }
        out.sort_by_key(|f| std::cmp::Reverse(f.leaf_index));
        Ok(out)
    }

    /// Ids of the cases `user_id` owns or has an active share of, in ledger order.
    pub fn cases_readable_by(&self, user_id: &str) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for id in self.store.case_ids()? {
            if self.case_facts(&id)?.access.relation(user_id) != Relation::None {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Summaries of the given cases (for the dashboard), from the cache.
    pub fn case_summaries(&self, case_ids: &[String]) -> Result<Vec<crate::CaseSummary>> {
        case_ids
            .iter()
            .map(|id| self.case_shared(id).map(|v| crate::CaseSummary::from(&*v)))
            .collect()
    }

    /// How many case views are cached now.
    pub fn cached_views(&self) -> usize {
        self.case_cache.views_kept()
    }
}
