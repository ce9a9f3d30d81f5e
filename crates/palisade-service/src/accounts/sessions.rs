//! Server-side sessions: the cookie value is 32 random bytes, stored only as
//! SHA-256; each session has its own CSRF token; idle and absolute timeouts
//! come from the organisation settings and the injected clock.

use super::secrets::{random_token, sha256};
use super::{Accounts, AuditAction, NewSession, SessionInfo, User, user_from_row};
use crate::error::Result;
use jiff::Timestamp;
use palisade_core::ids::new_id;
use palisade_store::accounts::SessionRow;

/// `last_seen` is written at most this often (seconds).
const TOUCH_EVERY_SECS: i64 = 60;
/// Longest client address and user agent kept.
const MAX_CLIENT_CHARS: usize = 100;
const MAX_USER_AGENT_CHARS: usize = 300;

fn clip(s: &str, max: usize) -> String {
    s.chars().filter(|c| !c.is_control()).take(max).collect()
}

fn ts(secs: i64) -> Timestamp {
    Timestamp::from_second(secs).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn info(r: &SessionRow) -> SessionInfo {
    SessionInfo {
        id: r.id.clone(),
        user_id: r.user_id.clone(),
        created_at: ts(r.created_at),
        last_seen: ts(r.last_seen),
        second_factor_done: r.second_factor_done,
        csrf_token: r.csrf_token.clone(),
        client: r.client.clone(),
        user_agent: r.user_agent.clone(),
    }
}

impl Accounts {
    /// (idle, absolute) timeouts in seconds.
    fn timeouts(&self) -> Result<(i64, i64)> {
        let org = self.org()?;
        Ok((
            i64::from(org.idle_timeout_minutes) * 60,
            i64::from(org.absolute_timeout_hours) * 3600,
        ))
    }

    /// Start a session for a user who has signed in (`second_factor_done`: the second
    /// factor is through, or the user has none). The cookie value is returned once.
    pub fn start_session(
        &self,
        user_id: &str,
        second_factor_done: bool,
        client: &str,
        user_agent: &str,
    ) -> Result<NewSession> {
        let user = self.active_user_row(user_id)?;
        let now = self.now_secs();
        // Sweep expired sessions now and then (here: on every sign-in).
        let (idle, absolute) = self.timeouts()?;
        self.store
            .delete_expired_sessions(now - absolute, now - idle)?;
        let cookie_value = random_token()?;
        let row = SessionRow {
            id: new_id("ses")?,
            token_hash: sha256(&cookie_value),
            user_id: user.id,
            created_at: now,
            last_seen: now,
            second_factor_done,
            csrf_token: random_token()?,
            client: clip(client, MAX_CLIENT_CHARS),
            user_agent: clip(user_agent, MAX_USER_AGENT_CHARS),
        };
        self.store.insert_session(&row)?;
        Ok(NewSession {
            cookie_value,
            info: info(&row),
        })
    }

    /// The session a cookie belongs to, with its user. `None` if unknown, expired
    /// (idle or absolute; the session is then deleted), or the user is disabled or gone.
    pub fn session(&self, cookie_value: &str) -> Result<Option<(User, SessionInfo)>> {
        if cookie_value.is_empty() || cookie_value.len() > 128 {
            return Ok(None);
        }
        let Some(mut row) = self.store.session_by_hash(&sha256(cookie_value))? else {
            return Ok(None);
        };
        let now = self.now_secs();
        let (idle, absolute) = self.timeouts()?;
        if now - row.created_at >= absolute || now - row.last_seen >= idle {
            self.store.delete_session(&row.id)?;
            return Ok(None);
        }
        let Some(user) = self.store.user(&row.user_id)?.filter(|u| !u.disabled) else {
            self.store.delete_session(&row.id)?;
            return Ok(None);
        };
        if now - row.last_seen >= TOUCH_EVERY_SECS {
            self.store.touch_session(&row.id, now)?;
            row.last_seen = now;
        }
        Ok(Some((user_from_row(&user), info(&row))))
    }

    /// Record that this session has passed the second factor.
    pub fn mark_second_factor_done(&self, session_id: &str) -> Result<()> {
        if !self.store.set_second_factor_done(session_id)? {
            return Err(super::not_found("session", session_id));
        }
        Ok(())
    }

    /// Sign out: end the session of this cookie (nothing happens for an unknown one).
    pub fn end_session(&self, cookie_value: &str) -> Result<()> {
        if let Some(row) = self.store.session_by_hash(&sha256(cookie_value))? {
            self.store.delete_session(&row.id)?;
        }
        Ok(())
    }

    /// End one of the user's own sessions by its public id; false if they have none such.
    pub fn end_session_by_id(&self, user_id: &str, session_id: &str) -> Result<bool> {
        let owned = self
            .store
            .sessions_of(user_id)?
            .iter()
            .any(|s| s.id == session_id);
        if !owned || !self.store.delete_session(session_id)? {
            return Ok(false);
        }
        self.audit_account(
            Some(user_id),
            AuditAction::SessionEnded,
            Some(session_id),
            None,
            None,
        )?;
        Ok(true)
    }

    /// End every session of the user but `keep_session_id`; how many ended.
    pub fn end_other_sessions(&self, user_id: &str, keep_session_id: &str) -> Result<u64> {
        let n = self
            .store
            .delete_sessions_of(user_id, Some(keep_session_id))?;
        if n > 0 {
            let detail = format!("{n} other sessions");
            self.audit_account(
                Some(user_id),
                AuditAction::SessionEnded,
                None,
                Some(&detail),
                None,
            )?;
        }
        Ok(n)
    }

    /// The user's live sessions, newest first (expired ones are left out).
    pub fn sessions_of(&self, user_id: &str) -> Result<Vec<SessionInfo>> {
        let now = self.now_secs();
        let (idle, absolute) = self.timeouts()?;
        Ok(self
            .store
            .sessions_of(user_id)?
            .iter()
            .filter(|r| now - r.created_at < absolute && now - r.last_seen < idle)
            .map(info)
            .collect())
    }
}
