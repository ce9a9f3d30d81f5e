//! `palisade user`: the web application's accounts, from the console of the
//! machine that holds the data directory (whoever can run this can already
//! read the key). The way back in when the only administrator is locked out.

use crate::render::{Out, print_json};
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use palisade_service::{Palisade, Password, SystemClock};
use std::io::BufRead;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Every account: username, role, whether two-step sign-in is on, whether disabled.
    List,
    /// Set a new password for an account (and re-enable it), ending its sessions.
    /// The password is read from PALISADE_NEW_PASSWORD or, if unset, from the
    /// first line of standard input, so it never appears in the shell history.
    ResetPassword {
        username: String,
        /// Also turn off two-step sign-in (a lost phone and lost recovery codes).
        #[arg(long)]
        turn_off_two_factor: bool,
    },
}

pub fn run(palisade: &Palisade, c: &UserCommand, out: &Out) -> Result<ExitCode> {
    let accounts = palisade
        .open_accounts(Arc::new(SystemClock))
        .context("cannot open the account database (accounts.db)")?;
    match c {
        UserCommand::List => {
            let users = accounts.users()?;
            if out.json {
                return print_json(&users);
            }
            if users.is_empty() {
                say!("No accounts yet: start `palisade serve` and open the setup link it prints.");
            }
            for u in &users {
                say!(
                    "{:<24} {:<10} {:<28} two-step: {:<3} {}",
                    u.username,
                    u.role.as_str(),
                    u.display_name,
                    if u.totp_enabled { "on" } else { "off" },
                    if u.disabled { "DISABLED" } else { "" }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::ResetPassword {
            username,
            turn_off_two_factor,
        } => {
            let password = new_password()?;
            let user =
                accounts.reset_password_from_console(username, &password, *turn_off_two_factor)?;
            if out.json {
                return print_json(&user);
            }
            say!(
                "New password set for {} ({}); their sessions were ended{}.",
                user.username,
                user.role.label(),
                if *turn_off_two_factor {
                    " and two-step sign-in was turned off"
                } else {
                    ""
                }
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn new_password() -> Result<Password> {
    if let Ok(p) = std::env::var("PALISADE_NEW_PASSWORD") {
        return Ok(Password::new(p));
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the new password from standard input")?;
    let p = line.trim_end_matches(['\r', '\n']).to_string();
    if p.is_empty() {
        bail!("no new password given: set PALISADE_NEW_PASSWORD or pipe it on standard input");
    }
    Ok(Password::new(p))
}
