//! Sign-in throttling, in memory: per account, 5 failures within 15 minutes
//! lock the account's sign-in for 15 minutes; per client address, 30 failures
//! within 15 minutes lock that address out for 15 minutes. Password and
//! second-factor failures both count; a full sign-in resets the account's count.

use std::collections::{HashMap, VecDeque};

pub(super) const ACCOUNT_LIMIT: usize = 5;
pub(super) const CLIENT_LIMIT: usize = 30;
/// The window failures are counted in, and how long a lock lasts (seconds).
pub(super) const WINDOW_SECS: i64 = 15 * 60;
/// Above this many tracked keys, expired ones are swept out.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Debug, Default)]
struct Window {
    failures: VecDeque<i64>,
    locked_until: Option<i64>,
}

impl Window {
    fn prune(&mut self, now: i64) {
        while self
            .failures
            .front()
            .is_some_and(|t| *t <= now - WINDOW_SECS)
        {
            self.failures.pop_front();
        }
        if self.locked_until.is_some_and(|t| t <= now) {
            self.locked_until = None;
        }
    }

    fn idle(&self) -> bool {
        self.failures.is_empty() && self.locked_until.is_none()
    }
}

#[derive(Debug, Default)]
pub(super) struct Throttle {
    accounts: HashMap<String, Window>,
    clients: HashMap<String, Window>,
}

fn wait(map: &mut HashMap<String, Window>, key: &str, now: i64) -> Option<u64> {
    let w = map.get_mut(key)?;
    w.prune(now);
    w.locked_until
        .map(|until| u64::try_from(until - now).unwrap_or(0).max(1))
}

fn fail(map: &mut HashMap<String, Window>, key: &str, limit: usize, now: i64) {
    if map.len() > SWEEP_ABOVE {
        map.retain(|_, w| {
            w.prune(now);
            !w.idle()
        });
    }
    let w = map.entry(key.to_string()).or_default();
    w.prune(now);
    w.failures.push_back(now);
    if w.failures.len() >= limit {
        w.locked_until = Some(now + WINDOW_SECS);
        w.failures.clear();
    }
}

impl Throttle {
    /// Seconds to wait before `account` may try again from `client`, if refused now.
    pub(super) fn refused(&mut self, account: &str, client: &str, now: i64) -> Option<u64> {
        let a = wait(&mut self.accounts, account, now);
        let c = wait(&mut self.clients, client, now);
        a.into_iter().chain(c).max()
    }

    pub(super) fn failed(&mut self, account: &str, client: &str, now: i64) {
        fail(&mut self.accounts, account, ACCOUNT_LIMIT, now);
        fail(&mut self.clients, client, CLIENT_LIMIT, now);
    }

    pub(super) fn succeeded(&mut self, account: &str) {
        self.accounts.remove(account);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_lock_the_account_for_fifteen_minutes() {
        let mut t = Throttle::default();
        for i in 0..4 {
            t.failed("alice", "10.0.0.1", 1000 + i);
            assert_eq!(t.refused("alice", "10.0.0.1", 1000 + i), None);
        }
        t.failed("alice", "10.0.0.2", 1010);
        assert_eq!(t.refused("alice", "10.0.0.9", 1010), Some(900));
        assert_eq!(
            t.refused("bob", "10.0.0.1", 1010),
            None,
            "others unaffected"
        );
        assert_eq!(t.refused("alice", "x", 1010 + 899), Some(1));
        assert_eq!(t.refused("alice", "x", 1010 + 900), None);
    }

    #[test]
    fn failures_older_than_the_window_do_not_count() {
        let mut t = Throttle::default();
        for i in 0..4 {
            t.failed("alice", "c", i * 10);
        }
        t.failed("alice", "c", 10_000);
        assert_eq!(t.refused("alice", "c", 10_000), None);
    }

    #[test]
    fn success_resets_the_account_count() {
        let mut t = Throttle::default();
        for i in 0..4 {
            t.failed("alice", "c", i);
        }
        t.succeeded("alice");
        t.failed("alice", "c", 10);
        assert_eq!(t.refused("alice", "c", 10), None);
    }

    #[test]
    fn thirty_failures_from_one_address_lock_the_address() {
        let mut t = Throttle::default();
        for i in 0..30 {
            assert_eq!(t.refused(&format!("user{i}"), "10.0.0.1", 100), None);
            t.failed(&format!("user{i}"), "10.0.0.1", 100);
        }
        assert_eq!(t.refused("someone-new", "10.0.0.1", 100), Some(900));
        assert_eq!(t.refused("someone-new", "10.0.0.2", 100), None);
    }
}
