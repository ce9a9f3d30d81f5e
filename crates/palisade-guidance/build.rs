//! Gives the engine an identity that changes whenever its source does:
//! `PALISADE_GUIDANCE_DIGEST` is an FNV-1a (64-bit) digest over every file
//! under `src/` (path, length and bytes, in path order). Triage labels and
//! risk assessments are recorded with it, so a reader can tell which rules
//! produced them.

use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn fnv(h: &mut u64, bytes: &[u8]) {
    for b in bytes {
        *h ^= u64::from(*b);
        *h = h.wrapping_mul(0x0100_0000_01b3);
    }
}

fn main() {
    println!("cargo:rerun-if-changed=src");
    let mut files = Vec::new();
    walk(Path::new("src"), &mut files);
    files.sort();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for f in &files {
        let name = f.to_string_lossy().replace('\\', "/");
        let bytes = std::fs::read(f).unwrap_or_default();
        fnv(&mut h, name.as_bytes());
        fnv(&mut h, &(bytes.len() as u64).to_be_bytes());
        fnv(&mut h, &bytes);
    }
    println!("cargo:rustc-env=PALISADE_GUIDANCE_DIGEST={h:016x}");
}
