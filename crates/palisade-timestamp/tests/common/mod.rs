//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::Duration;

use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::{Decode, Encode};
use palisade_timestamp::local_tsa::{LocalTsa, openssl};

/// The checkpoint of docs/ledger.md §7, as its note text (what is stamped).
pub const CHECKPOINT_NOTE: &str =
    "palisade/inst_wpj5nfxv83v5x0rm\n6\n/qC8oHJXCOie7/rIhIYGSdhhlRV+K/4pg9i5yEPnk6I=\n";

pub const TIMEOUT: Duration = Duration::from_secs(30);

/// The path of a file under tests/data.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Runs `openssl ts -verify` on a token; returns whether it succeeded, and its output.
pub fn openssl_ts_verify(
    dir: &Path,
    token: &[u8],
    digest: &[u8; 32],
    tsa: &LocalTsa,
) -> (bool, String) {
    let path = dir.join(format!("token-{}.der", hex::encode(&digest[..4])));
    std::fs::write(&path, token).unwrap();
    let out = std::process::Command::new("openssl")
        .args([
            "ts",
            "-verify",
            "-digest",
            &hex::encode(digest),
            "-token_in",
            "-in",
        ])
        .arg(&path)
        .arg("-CAfile")
        .arg(&tsa.ca_cert_pem)
        .arg("-untrusted")
        .arg(&tsa.tsa_cert_pem)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// Parses a token into its SignedData.
pub fn signed_data(token: &[u8]) -> SignedData {
    ContentInfo::from_der(token)
        .unwrap()
        .content
        .decode_as()
        .unwrap()
}

/// Re-wraps a SignedData as a token.
pub fn token_of(signed_data: &SignedData) -> Vec<u8> {
    let content_info = ContentInfo {
        content_type: der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2"),
        content: der::Any::from_der(&signed_data.to_der().unwrap()).unwrap(),
    };
    content_info.to_der().unwrap()
}

/// The DER TSTInfo inside a token.
pub fn tst_info_der(token: &[u8]) -> Vec<u8> {
    let sd = signed_data(token);
    let econtent: der::asn1::OctetString =
        sd.encap_content_info.econtent.unwrap().decode_as().unwrap();
    econtent.as_bytes().to_vec()
}

/// `haystack` with the first occurrence of `needle` changed by `change`.
pub fn change_inside(haystack: &[u8], needle: &[u8], change: impl FnOnce(&mut [u8])) -> Vec<u8> {
    let at = haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("needle found");
    let mut out = haystack.to_vec();
    change(&mut out[at..at + needle.len()]);
    out
}

/// Issues a certificate from the TSA's CA for a new key, made by
/// `openssl genpkey ARGS`; `extensions` is the X.509v3 section body.
/// Returns (certificate PEM path, key PEM path).
pub fn issue_certificate(
    dir: &Path,
    name: &str,
    tsa: &LocalTsa,
    genpkey: &[&str],
    extensions: &str,
    serial: Option<&str>,
) -> (PathBuf, PathBuf) {
    let key = dir.join(format!("{name}.key"));
    let csr = dir.join(format!("{name}.csr"));
    let cert = dir.join(format!("{name}.pem"));
    let ext = dir.join(format!("{name}-ext.cnf"));
    std::fs::write(&ext, format!("[ext]\n{extensions}\n")).unwrap();
    let ca_key = tsa.ca_cert_pem.with_file_name("ca.key");
    let mut args: Vec<&std::ffi::OsStr> = vec!["genpkey".as_ref()];
    args.extend(genpkey.iter().map(std::ffi::OsStr::new));
    args.extend(["-out".as_ref(), key.as_os_str()]);
    openssl(&args).unwrap();
    openssl([
        "req".as_ref(),
        "-new".as_ref(),
        "-key".as_ref(),
        key.as_os_str(),
        "-subj".as_ref(),
        format!("/O=Palisade Test/CN={name}").as_ref(),
        "-out".as_ref(),
        csr.as_os_str(),
    ])
    .unwrap();
    let serial = serial.map_or_else(|| format!("0x{:x}", rand_serial()), str::to_string);
    openssl([
        "x509".as_ref(),
        "-req".as_ref(),
        "-days".as_ref(),
        "365".as_ref(),
        "-in".as_ref(),
        csr.as_os_str(),
        "-CA".as_ref(),
        tsa.ca_cert_pem.as_os_str(),
        "-CAkey".as_ref(),
        ca_key.as_os_str(),
        "-set_serial".as_ref(),
        serial.as_ref(),
        "-extfile".as_ref(),
        ext.as_os_str(),
        "-extensions".as_ref(),
        "ext".as_ref(),
        "-out".as_ref(),
        cert.as_os_str(),
    ])
    .unwrap();
    (cert, key)
}

/// Reads an HTTP request's head and its Content-Length body.
fn read_request(stream: &mut std::net::TcpStream) {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let Ok(n) = stream.read(&mut buf) else { return };
        if n == 0 {
            return;
        }
        data.extend_from_slice(&buf[..n]);
        if data[0] == 0x16 {
            return; // A TLS handshake record, not HTTP.
        }
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                return;
            }
        }
    }
}

fn rand_serial() -> u64 {
    getrandom::u64().unwrap() >> 1
}

/// The extensions of a proper TSA certificate.
pub const TSA_EXTENSIONS: &str = "basicConstraints = critical,CA:FALSE\n\
    keyUsage = critical,digitalSignature\n\
    extendedKeyUsage = critical,timeStamping\n\
    subjectKeyIdentifier = hash\n";

/// Signs `tst_der` as a CMS SignedData with `openssl cms -sign`, content
/// type id-ct-TSTInfo (unless `extra` names another), with the extra
/// `openssl cms` arguments `extra`.
pub fn cms_sign(dir: &Path, tst_der: &[u8], cert: &Path, key: &Path, extra: &[&str]) -> Vec<u8> {
    let input = dir.join("tst.der");
    let output = dir.join("cms-token.der");
    std::fs::write(&input, tst_der).unwrap();
    let mut args: Vec<&std::ffi::OsStr> = [
        "cms",
        "-sign",
        "-binary",
        "-nodetach",
        "-nosmimecap",
        "-outform",
        "DER",
    ]
    .iter()
    .map(|s| s.as_ref())
    .collect();
    if !extra.contains(&"-econtent_type") {
        args.extend(["-econtent_type", "1.2.840.113549.1.9.16.1.4"].map(std::ffi::OsStr::new));
    }
    args.extend(["-in".as_ref(), input.as_os_str()]);
    args.extend(["-signer".as_ref(), cert.as_os_str()]);
    args.extend(["-inkey".as_ref(), key.as_os_str()]);
    args.extend(["-out".as_ref(), output.as_os_str()]);
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    openssl(&args).unwrap();
    std::fs::read(&output).unwrap()
}

/// A one-shot HTTP server on 127.0.0.1 answering `connections` requests
/// with `status`, `content_type` and `body` (`None`: accept, then never
/// answer). Returns its URL and its thread.
pub fn serve(
    connections: usize,
    status: u16,
    content_type: &'static str,
    body: Option<Vec<u8>>,
) -> (String, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/tsa", listener.local_addr().unwrap());
    let thread = std::thread::spawn(move || {
        for _ in 0..connections {
            let Ok((mut stream, _)) = listener.accept() else {
                return;
            };
            stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
            read_request(&mut stream);
            match &body {
                None => std::thread::sleep(Duration::from_secs(3)),
                Some(body) => {
                    let head = format!(
                        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(head.as_bytes());
                    let _ = stream.write_all(body);
                    let _ = stream.shutdown(std::net::Shutdown::Write);
                    let _ = stream.read_to_end(&mut Vec::new());
                }
            }
        }
    });
    (url, thread)
}
