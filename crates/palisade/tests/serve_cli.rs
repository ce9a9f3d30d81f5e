//! `palisade serve`: refuses unsafe or malformed flags before listening.
//! (The browser test, `e2e_browser.rs`, runs the server for real.)

mod common;

use common::Store;

#[test]
fn insecure_http_is_refused_off_loopback() {
    // Refused before anything is created, even on a fresh data directory.
    let store = Store::new();
    let r = store.run(&["serve", "--listen", "0.0.0.0:0", "--insecure-http"]);
    assert_eq!(r.code, 1, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("--insecure-http") && r.stderr.contains("loopback"),
        "{}",
        r.stderr
    );
    assert!(
        !r.stdout.contains("/setup/"),
        "no setup link is printed: {}",
        r.stdout
    );
    assert!(!store.data_dir.exists(), "nothing was created");
}

#[test]
fn a_malformed_listen_address_says_what_is_expected() {
    let store = Store::init();
    let r = store.run(&["serve", "--listen", "localhost"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("127.0.0.1:8080"), "{}", r.stderr);
}

/// The README's first command is `palisade serve` on a machine with no data:
/// it creates the store exactly as `palisade init` would, then prints the
/// one-time setup link.
#[test]
fn serve_creates_a_missing_store_then_prints_the_setup_link() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let store = Store::new();
    let mut child = store
        .command()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start palisade serve");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while std::time::Instant::now() < deadline {
        match rx.recv_timeout(std::time::Duration::from_millis(200)) {
            Ok(line) => {
                let done = line.contains("/setup/");
                seen.push(line);
                if done {
                    break;
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let out = seen.join("\n");
    assert!(out.contains("Created a Palisade store"), "{out}");
    assert!(out.contains("/setup/"), "no setup link in: {out}");
    assert!(store.data_dir.join("palisade.sqlite3").is_file());
    // The store it made is a normal one.
    store.verify_ok();
}

#[test]
fn serve_refuses_a_directory_that_holds_something_else() {
    let store = Store::new();
    std::fs::create_dir_all(&store.data_dir).expect("mkdir");
    std::fs::write(store.data_dir.join("notes.txt"), b"not a store").expect("write");
    let r = store.run(&["serve", "--listen", "127.0.0.1:0"]);
    assert_eq!(r.code, 1, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(r.stderr.starts_with("error:"), "{}", r.stderr);
    assert!(!r.stdout.contains("/setup/"), "{}", r.stdout);
}
