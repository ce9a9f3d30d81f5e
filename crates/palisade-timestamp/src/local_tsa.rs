//! Test support (feature `test-tsa`): a real Time-Stamp Authority on
//! 127.0.0.1, whose replies are made by the OpenSSL command-line tool
//! (`openssl ts -reply`).
//!
//! Another crate's tests use it with
//!
//! ```toml
//! [dev-dependencies]
//! palisade-timestamp = { workspace = true, features = ["test-tsa"] }
//! tempfile.workspace = true
//! ```
//!
//! and skip (with a message on stderr) when `openssl` is missing, unless
//! `PALISADE_REQUIRE_OPENSSL` is set, as in CI:
//!
//! ```no_run
//! # use palisade_timestamp::local_tsa::LocalTsa;
//! let dir = tempfile::tempdir()?;
//! let Some(tsa) = LocalTsa::start_or_skip(dir.path())? else { return Ok(()) };
//! let stamp = palisade_timestamp::request_token(&tsa.url, &[7; 32], std::time::Duration::from_secs(10));
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Keys and certificates are made once per directory and key type (a CA,
//! and a TSA certificate it signs with `extendedKeyUsage =
//! critical,timeStamping`) and reused by later starts on the same directory.
//! Each [`LocalTsa`] has its own configuration, serial file and work files,
//! and stops when dropped. The directory's path must not contain `$` or a backslash
//! (it is written into an OpenSSL configuration file).

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// The environment variable that turns a missing `openssl` into a failure
/// (CI sets it) instead of a skipped test.
pub const REQUIRE_OPENSSL_ENV: &str = "PALISADE_REQUIRE_OPENSSL";

/// Largest request body the server reads.
const MAX_REQUEST_BYTES: usize = 64 * 1024;

/// Key type of the TSA (and of its CA).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    /// RSA, 2048 bits.
    Rsa2048,
    /// ECDSA on P-256.
    EcP256,
}

impl KeyType {
    fn dir_name(self) -> &'static str {
        match self {
            Self::Rsa2048 => "rsa2048",
            Self::EcP256 => "ec-p256",
        }
    }

    fn newkey(self) -> &'static [&'static str] {
        match self {
            Self::Rsa2048 => &["-newkey", "rsa:2048"],
            Self::EcP256 => &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
        }
    }
}

/// How a [`LocalTsa`] is set up; [`Default`] is an RSA TSA that grants
/// SHA-256 requests.
#[derive(Clone, Debug)]
pub struct LocalTsaOptions {
    /// Key type of the CA and the TSA.
    pub key_type: KeyType,
    /// Digest the TSA signs with (`signer_digest`): `sha256`, `sha384`, `sha512`.
    pub signer_digest: String,
    /// Message-imprint digests the TSA accepts (`digests`); a request with
    /// another one is answered with status rejection / badAlg.
    pub accepted_digests: String,
    /// Hash of the ESSCertID (`ess_cert_id_alg`): `sha1` gives a
    /// signingCertificate attribute, others a signingCertificateV2.
    pub ess_cert_id_alg: String,
    /// Fractional digits of genTime (`clock_precision_digits`, 0 to 6).
    pub clock_precision_digits: u8,
    /// If set, every request is answered with this HTTP status and a short
    /// text body instead of a reply.
    pub http_status: Option<u16>,
}

impl Default for LocalTsaOptions {
    fn default() -> Self {
        Self {
            key_type: KeyType::Rsa2048,
            signer_digest: "sha256".into(),
            accepted_digests: "sha256, sha384, sha512".into(),
            ess_cert_id_alg: "sha256".into(),
            clock_precision_digits: 0,
            http_status: None,
        }
    }
}

/// A running local TSA; dropping it stops the server.
#[derive(Debug)]
pub struct LocalTsa {
    /// `http://127.0.0.1:PORT/tsa`.
    pub url: String,
    /// The CA certificate (PEM): the trust anchor for `openssl ts -verify -CAfile`.
    pub ca_cert_pem: PathBuf,
    /// The TSA's certificate (PEM).
    pub tsa_cert_pem: PathBuf,
    /// The TSA's private key (PEM).
    pub tsa_key_pem: PathBuf,
    /// The `openssl ts` configuration of this instance.
    pub config: PathBuf,
    /// The policy OID of the tokens.
    pub policy: String,
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// Whether the OpenSSL command-line tool can be run.
pub fn openssl_available() -> bool {
    Command::new("openssl")
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `true` if tests needing `openssl` should run; `false` (after telling
/// stderr) if they should be skipped. Panics if `openssl` is missing while
/// [`REQUIRE_OPENSSL_ENV`] is set.
pub fn openssl_or_skip() -> bool {
    if openssl_available() {
        return true;
    }
    assert!(
        std::env::var_os(REQUIRE_OPENSSL_ENV).is_none(),
        "the openssl command-line tool is missing but {REQUIRE_OPENSSL_ENV} is set"
    );
    eprintln!(
        "skipped: the openssl command-line tool is missing (set {REQUIRE_OPENSSL_ENV} to fail instead)"
    );
    false
}

/// Runs `openssl ARGS…`, failing with its stderr if it does not succeed.
pub fn openssl<I, S>(args: I) -> io::Result<Vec<u8>>
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
    let out = Command::new("openssl")
        .args(&args)
        .stdin(Stdio::null())
        .output()?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(io::Error::other(format!(
            "openssl {} failed ({}): {}",
            args.iter()
                .map(|a| a.to_string_lossy())
                .collect::<Vec<_>>()
                .join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

impl LocalTsa {
    /// Starts a default (RSA-2048) TSA whose files live under `dir`.
    pub fn start(dir: &Path) -> io::Result<LocalTsa> {
        Self::start_with(dir, &LocalTsaOptions::default())
    }

    /// [`LocalTsa::start`], or `None` when `openssl` is missing and the test
    /// may be skipped (see [`openssl_or_skip`]).
    pub fn start_or_skip(dir: &Path) -> io::Result<Option<LocalTsa>> {
        if openssl_or_skip() {
            Self::start(dir).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Starts a TSA set up by `options`, whose files live under `dir`.
    pub fn start_with(dir: &Path, options: &LocalTsaOptions) -> io::Result<LocalTsa> {
        let keys = ensure_keys(dir, options.key_type)?;
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let run_dir = dir.join(format!("tsa-{}", addr.port()));
        std::fs::create_dir_all(&run_dir)?;
        std::fs::write(run_dir.join("serial"), "01\n")?;
        let policy = "1.3.6.1.4.1.99999.3161.1".to_string();
        let config = run_dir.join("tsa.cnf");
        std::fs::write(&config, ts_config(&run_dir, &keys, &policy, options))?;

        let stop = Arc::new(AtomicBool::new(false));
        let server = Server {
            config: config.clone(),
            run_dir,
            http_status: options.http_status,
            counter: AtomicU64::new(0),
        };
        let thread = {
            let stop = Arc::clone(&stop);
            std::thread::Builder::new()
                .name(format!("local-tsa-{}", addr.port()))
                .spawn(move || server.run(&listener, &stop))?
        };
        Ok(LocalTsa {
            url: format!("http://{addr}/tsa"),
            ca_cert_pem: keys.ca_cert,
            tsa_cert_pem: keys.tsa_cert,
            tsa_key_pem: keys.tsa_key,
            config,
            policy,
            addr,
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for LocalTsa {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept(); the server sees `stop` and returns.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Keys {
    ca_cert: PathBuf,
    tsa_cert: PathBuf,
    tsa_key: PathBuf,
}

/// Makes `dir/<key type>/{ca,tsa}.{key,pem}` unless they exist. The files
/// are made in a scratch directory that is then renamed, so that concurrent
/// starts on one directory see either nothing or everything.
fn ensure_keys(dir: &Path, key_type: KeyType) -> io::Result<Keys> {
    let final_dir = dir.join(key_type.dir_name());
    let keys = Keys {
        ca_cert: final_dir.join("ca.pem"),
        tsa_cert: final_dir.join("tsa.pem"),
        tsa_key: final_dir.join("tsa.key"),
    };
    if keys.tsa_key.exists() {
        return Ok(keys);
    }
    std::fs::create_dir_all(dir)?;
    let scratch = tempfile_dir(dir, key_type.dir_name())?;
    make_certificates(&scratch, key_type)?;
    match std::fs::rename(&scratch, &final_dir) {
        Ok(()) => Ok(keys),
        // Another start won the race: use its files.
        Err(_) if keys.tsa_key.exists() => {
            let _ = std::fs::remove_dir_all(&scratch);
            Ok(keys)
        }
        Err(e) => Err(e),
    }
}

fn tempfile_dir(parent: &Path, prefix: &str) -> io::Result<PathBuf> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let path = parent.join(format!(".{prefix}-{}-{n}.tmp", std::process::id()));
    std::fs::create_dir_all(&path)?;
    Ok(path)
}

/// A CA (10 years) and a TSA certificate signed by it (5 years).
fn make_certificates(dir: &Path, key_type: KeyType) -> io::Result<()> {
    let p = |name: &str| dir.join(name);
    let ext = p("tsa-ext.cnf");
    std::fs::write(
        &ext,
        "[tsa_ext]\n\
         basicConstraints = critical,CA:FALSE\n\
         keyUsage = critical,digitalSignature,nonRepudiation\n\
         extendedKeyUsage = critical,timeStamping\n\
         subjectKeyIdentifier = hash\n\
         authorityKeyIdentifier = keyid:always\n",
    )?;
    let mut ca = vec!["req", "-x509", "-noenc", "-days", "3650"];
    ca.extend_from_slice(key_type.newkey());
    ca.extend_from_slice(&["-subj", "/O=Palisade Test/CN=Palisade Test CA"]);
    ca.extend_from_slice(&["-addext", "basicConstraints=critical,CA:TRUE"]);
    ca.extend_from_slice(&["-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
    openssl(ca.iter().map(|s| s.as_ref()).chain([
        "-keyout".as_ref(),
        p("ca.key").as_os_str(),
        "-out".as_ref(),
        p("ca.pem").as_os_str(),
    ]))?;
    let mut req = vec!["req", "-new", "-noenc"];
    req.extend_from_slice(key_type.newkey());
    req.extend_from_slice(&["-subj", "/O=Palisade Test/CN=Palisade Test TSA"]);
    openssl(req.iter().map(|s| s.as_ref()).chain([
        "-keyout".as_ref(),
        p("tsa.key").as_os_str(),
        "-out".as_ref(),
        p("tsa.csr").as_os_str(),
    ]))?;
    let serial = format!(
        "0x{:016x}",
        getrandom::u64().map_err(io::Error::other)? >> 1
    );
    openssl([
        "x509".as_ref(),
        "-req".as_ref(),
        "-days".as_ref(),
        "1825".as_ref(),
        "-in".as_ref(),
        p("tsa.csr").as_os_str(),
        "-CA".as_ref(),
        p("ca.pem").as_os_str(),
        "-CAkey".as_ref(),
        p("ca.key").as_os_str(),
        "-set_serial".as_ref(),
        serial.as_ref(),
        "-extfile".as_ref(),
        ext.as_os_str(),
        "-extensions".as_ref(),
        "tsa_ext".as_ref(),
        "-out".as_ref(),
        p("tsa.pem").as_os_str(),
    ])?;
    Ok(())
}

fn ts_config(run_dir: &Path, keys: &Keys, policy: &str, o: &LocalTsaOptions) -> String {
    format!(
        "[ tsa ]\n\
         default_tsa = tsa_config\n\
         \n\
         [ tsa_config ]\n\
         serial = {serial}\n\
         crypto_device = builtin\n\
         signer_cert = {tsa_cert}\n\
         certs = {ca_cert}\n\
         signer_key = {tsa_key}\n\
         signer_digest = {signer_digest}\n\
         default_policy = {policy}\n\
         other_policies = 1.3.6.1.4.1.99999.3161.2\n\
         digests = {digests}\n\
         accuracy = secs:1, millisecs:500, microsecs:100\n\
         clock_precision_digits = {precision}\n\
         ordering = yes\n\
         tsa_name = yes\n\
         ess_cert_id_chain = no\n\
         ess_cert_id_alg = {ess}\n",
        serial = run_dir.join("serial").display(),
        tsa_cert = keys.tsa_cert.display(),
        ca_cert = keys.ca_cert.display(),
        tsa_key = keys.tsa_key.display(),
        signer_digest = o.signer_digest,
        digests = o.accepted_digests,
        precision = o.clock_precision_digits,
        ess = o.ess_cert_id_alg,
    )
}

struct Server {
    config: PathBuf,
    run_dir: PathBuf,
    http_status: Option<u16>,
    counter: AtomicU64,
}

impl Server {
    fn run(&self, listener: &TcpListener, stop: &AtomicBool) {
        for stream in listener.incoming() {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            if let Ok(stream) = stream {
                // A failed exchange only affects that client.
                let _ = self.handle(stream);
            }
        }
    }

    fn handle(&self, mut stream: TcpStream) -> io::Result<()> {
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        stream.set_write_timeout(Some(Duration::from_secs(10)))?;
        let body = match read_request(&stream) {
            Ok(body) => body,
            Err(e) => return respond(&mut stream, 400, "text/plain", e.to_string().as_bytes()),
        };
        if let Some(status) = self.http_status {
            return respond(&mut stream, status, "text/plain", b"local TSA told to fail");
        }
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        let query = self.run_dir.join(format!("q{n}.tsq"));
        let reply = self.run_dir.join(format!("r{n}.tsr"));
        std::fs::write(&query, &body)?;
        let made = openssl([
            "ts".as_ref(),
            "-reply".as_ref(),
            "-config".as_ref(),
            self.config.as_os_str(),
            "-queryfile".as_ref(),
            query.as_os_str(),
            "-out".as_ref(),
            reply.as_os_str(),
        ]);
        match made.and_then(|_| std::fs::read(&reply)) {
            Ok(der) => respond(&mut stream, 200, "application/timestamp-reply", &der),
            Err(e) => respond(&mut stream, 500, "text/plain", e.to_string().as_bytes()),
        }
    }
}

/// Reads one HTTP/1.1 POST with a Content-Length body; returns the body.
fn read_request(stream: &TcpStream) -> io::Result<Vec<u8>> {
    let mut reader = BufReader::new(stream.take(MAX_REQUEST_BYTES as u64 + 16 * 1024));
    let mut line = String::new();
    reader.read_line(&mut line)?;
    if !line.starts_with("POST ") {
        return Err(io::Error::other(format!(
            "expected a POST, got {:?}",
            line.trim_end()
        )));
    }
    let mut length = None;
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err(io::Error::other("connection closed in the headers"));
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let length = length
        .filter(|&n| n <= MAX_REQUEST_BYTES)
        .ok_or_else(|| io::Error::other("missing or too large Content-Length"))?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(body)
}

fn respond(stream: &mut TcpStream, status: u16, content_type: &str, body: &[u8]) -> io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        if status == 200 { "OK" } else { "Status" },
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()?;
    let _ = stream.shutdown(Shutdown::Write);
    Ok(())
}
