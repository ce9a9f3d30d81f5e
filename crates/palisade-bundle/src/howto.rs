//! The words that travel with a bundle: `VERIFY.md` and the report's
//! verification section.

use crate::format::Manifest;

/// The paragraphs of the report's "How to verify" section.
pub fn report_paragraphs(m: &Manifest) -> Vec<String> {
    vec![
        format!(
            "This report was produced from a Palisade ledger and is part of an evidence bundle (a zip file). \
             The bundle holds every record shown here, exactly as it was written at the time, together with \
             cryptographic proofs that tie each record to a tree of {} records signed by the practice's key.",
            m.checkpoint.size
        ),
        format!(
            "Key fingerprint: {}. Ask the practice to confirm this fingerprint by a separate route (telephone, \
             letter or its website). If it matches, nobody without the practice's key can have added, removed, \
             reordered or changed any record in the bundle without the check failing.",
            m.checkpoint.key_fingerprint
        ),
        "To check the bundle with Palisade installed: palisade verify-bundle BUNDLE.zip. Without Palisade: \
         python3 verify_bundle.py BUNDLE.zip (the independent verifier published with Palisade, Python 3 only). \
         Both check every disclosed field against its digest, every record against the signed tree, that the \
         case's history was only ever appended to, and every attached file against its SHA-256."
            .to_string(),
        format!(
            "Fields withheld under the {} profile are not in the bundle, but their digests are: the records \
             are provably complete, and withheld text can be disclosed later and checked against the same digests.",
            m.profile
        ),
        "The file VERIFY.md inside the bundle explains each check step by step, so it can also be done by hand."
            .to_string(),
    ]
}

/// `VERIFY.md`: how to check this bundle, with its own figures filled in.
pub fn verify_md(m: &Manifest) -> String {
    let recipient = m
        .recipient
        .as_deref()
        .map(|r| format!("- Prepared for: {r}\n"))
        .unwrap_or_default();
    format!(
        r#"# How to verify this evidence bundle

This zip file is an extract of a Palisade case record, made under the
**{profile}** profile: {description}

- Case: `{case}`
- Exported by: {by}, at {at} (disclosure record `{disclosure}`)
{recipient}- Signed checkpoint: `{origin}`, {size} records, root `{root}`
- Practice key fingerprint (SHA-256 of the Ed25519 public key): `{fingerprint}`

**First, compare the key fingerprint** with the one the practice gives you
by another route (telephone, letter, website). Every check below proves
that the bundle matches *that* key.

## With Palisade

    palisade verify-bundle THIS-FILE.zip

It needs no data directory and no key. Exit status 0 means every check
passed; otherwise it names each problem.

## Without Palisade

    python3 verify_bundle.py THIS-FILE.zip

`tools/verify_bundle.py` in the Palisade source is an independent verifier
written from the format specification (`docs/bundle.md`), using only the
Python 3 standard library.

## By hand

1. `public-key.txt` is a signed-note verifier key
   `NAME+KEYID+BASE64(0x01 || ed25519 public key)`. The fingerprint is the
   hex SHA-256 of the 32-byte public key.
2. `checkpoint.txt` is a C2SP signed note: three lines (origin, tree size,
   base64 root hash), a blank line, and a signature line
   `— NAME BASE64(keyid || signature)`. The Ed25519 signature covers the
   first three lines, each ending in a newline.
3. Each line of `records.jsonl` holds a record's `envelope` (the exact
   bytes of its Merkle leaf) and its `disclosures`. For each disclosure
   string `[salt, name, value]`, base64url(SHA-256(its UTF-8 bytes)), without
   padding, must equal `envelope.fields[name]`. Fields listed in `withheld`
   have a digest but no disclosure.
4. The leaf hash of a record is SHA-256(0x00 || envelope bytes). With the
   record's path in `proofs.json` (`inclusion`), the RFC 9162 section 2.1.3.2
   algorithm must give the root in `checkpoint.txt`.
5. `proofs.json` `consistency` holds the checkpoint signed when the case
   began and an RFC 9162 section 2.1.4.2 consistency proof to the bundle's
   checkpoint: the history was only appended to since then.
6. The disclosure record (`{disclosure}`, type `disclosure`) lists every
   other record of the bundle with its leaf index and withheld fields, the
   attachments whose bytes are left out, and the timestamp tokens included.
   A record missing from the bundle, or one that is not on that list, means
   the bundle was altered.
7. Each file `attachments/HASH` must have SHA-256 `HASH` and the size its
   attachment record commits to.
8. Each token in `timestamps/` is an RFC 3161 TimeStampToken over the
   SHA-256 of a checkpoint note's exact text (`proofs.json` `timestamps`),
   with a consistency proof from that checkpoint to the bundle's. Check it
   with `openssl ts -verify -digest HEX -in TOKEN -token_in -CAfile TSA-CA.pem`.

`report.pdf` and this file are a convenience for readers, generated from
the same records, and are **not** covered by the signatures: the records,
proofs and files checked above are the evidence. Where they differ, the
records are right.
"#,
        profile = m.profile,
        description = m.profile_description,
        case = m.case,
        by = m.exported_by,
        at = m.exported_at,
        disclosure = m.disclosure_record,
        origin = m.checkpoint.origin,
        size = m.checkpoint.size,
        root = m.checkpoint.root,
        fingerprint = m.checkpoint.key_fingerprint,
    )
}
