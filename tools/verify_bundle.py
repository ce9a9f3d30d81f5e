#!/usr/bin/env python3
"""Check a Palisade evidence bundle offline, independently of Palisade.

Written from docs/bundle.md (format version 1) and docs/ledger.md sections
3-7, with the Python 3.11 standard library only. Every check of
docs/bundle.md section 8 is performed and every failure is reported, naming
the member, record or field at fault.

    python3 tools/verify_bundle.py BUNDLE.zip [--json]

Exit status: 0 the bundle is intact, 3 it is not (each problem is listed),
1 the file cannot be read as a bundle at all (missing, not a zip,
age-encrypted: decrypt it first with `age -d`).

Cryptography implemented here in pure Python:

- Ed25519 verification (RFC 8032 section 5.1.7) for the signed checkpoints;
- RSA PKCS#1 v1.5 and ECDSA (P-256, P-384) for RFC 3161 timestamp tokens,
  with a minimal DER parser for the CMS structures around them.

When the `cryptography` package is importable it is used for the signature
arithmetic only (it is faster); set PALISADE_VERIFY_PURE_PYTHON=1, or pass
--pure-python, to use the code below instead. Hashing is hashlib's.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import sys
import zipfile

FORMAT = "palisade-bundle"
VERSION = 1

MANIFEST = "manifest.json"
RECORDS = "records.jsonl"
PROOFS = "proofs.json"
CHECKPOINT = "checkpoint.txt"
PUBLIC_KEY = "public-key.txt"
REPORT = "report.pdf"
VERIFY = "VERIFY.md"
ATTACHMENTS = "attachments/"
TIMESTAMPS = "timestamps/"

# Largest JSON or text member read into memory.
MAX_DOCUMENT = 1 << 30
# Largest timestamp token read into memory.
MAX_TOKEN = 1 << 20

PROFILES = ("defence", "police", "manager", "gmc", "full")

# docs/ledger.md sections 2 and 5, and docs/bundle.md section 10.
ID_PREFIX = {
    "ledger_initialised": "init",
    "case_opened": "case",
    "case_closed": "close",
    "entry": "ent",
    "action": "act",
    "attachment": "att",
    "correction": "cor",
    "retraction": "ret",
    "import": "imp",
    "disclosure": "disc",
    "acknowledgement": "ack",
    "risk_assessment": "risk",
    "share": "shr",
    "share_revoked": "rvk",
    "flag": "flag",
    "flag_withdrawn": "wdr",
    "exhibit": "exh",
    "custody": "cus",
}
ID_RE = re.compile(r"[a-z]+_[0-9a-hjkmnp-tv-z]{16}")
SHA256_HEX_RE = re.compile(r"[0-9a-f]{64}")
TOKEN_NAME_RE = re.compile(r"timestamps/[1-9][0-9]*-(0|[1-9][0-9]*)\.tsr")
ENVELOPE_MEMBERS = {
    "v",
    "id",
    "type",
    "case",
    "recorded_at",
    "occurred_at",
    "channel",
    "target",
    "fields",
}


class Unreadable(Exception):
    """The file cannot be read as a bundle at all (exit 1)."""


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def b64url_nopad(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64decode_strict(text: str) -> bytes | None:
    """Standard base64 with padding, canonical (re-encodes to the same text)."""
    if not isinstance(text, str):
        return None
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None
    if base64.b64encode(raw).decode("ascii") != text:
        return None
    return raw


def b64_hash(text) -> bytes | None:
    raw = b64decode_strict(text)
    if raw is None or len(raw) != 32:
        return None
    return raw


def is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def is_uint(v) -> bool:
    return is_int(v) and v >= 0


def is_str_list(v) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# ---------------------------------------------------------------------------
# Strict JSON and JCS (RFC 8785)
# ---------------------------------------------------------------------------


class JsonError(ValueError):
    pass


def _no_duplicates(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise JsonError(f"member {k!r} appears twice")
        out[k] = v
    return out


def _no_constant(name):
    raise JsonError(f"{name} is not JSON")


def json_strict(text: str):
    """Parse JSON refusing duplicate members and NaN/Infinity."""
    try:
        return json.loads(
            text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant
        )
    except JsonError:
        raise
    except (ValueError, RecursionError) as e:
        raise JsonError(str(e)) from None


def json_bytes(data: bytes):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise JsonError(f"not UTF-8 ({e})") from None
    return json_strict(text)


def _es6_number(x: float) -> str:
    """ECMAScript Number.prototype.toString for a finite double (RFC 8785 3.2.2.3)."""
    if x != x or x in (float("inf"), float("-inf")):
        raise JsonError("NaN or Infinity cannot be serialised")
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    r = repr(abs(x))  # shortest round-trip digits
    mant, _, exp = r.partition("e")
    exp = int(exp) if exp else 0
    ip, _, fp = mant.partition(".")
    digits = ip + fp
    n = len(ip) + exp  # value = 0.digits * 10^n
    stripped = digits.lstrip("0")
    n -= len(digits) - len(stripped)
    s = stripped.rstrip("0")
    k = len(s)
    if k <= n <= 21:
        out = s + "0" * (n - k)
    elif 0 < n <= 21:
        out = s[:n] + "." + s[n:]
    elif -6 < n <= 0:
        out = "0." + "0" * (-n) + s
    else:
        e = n - 1
        es = ("+" if e >= 0 else "-") + str(abs(e))
        out = (s if k == 1 else s[0] + "." + s[1:]) + "e" + es
    return sign + out


_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}


def _jcs_string(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        elif 0xD800 <= ord(ch) <= 0xDFFF:
            raise JsonError("a string holds a lone surrogate")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def jcs(value) -> str:
    """RFC 8785 serialisation of a parsed JSON value."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        if abs(value) <= 2**53:
            return str(value)
        return _es6_number(float(value))
    if isinstance(value, float):
        return _es6_number(value)
    if isinstance(value, str):
        return _jcs_string(value)
    if isinstance(value, list):
        return "[" + ",".join(jcs(v) for v in value) + "]"
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda kv: kv[0].encode("utf-16-be", "surrogatepass"))
        return "{" + ",".join(_jcs_string(k) + ":" + jcs(v) for k, v in items) + "}"
    raise JsonError(f"cannot serialise {type(value).__name__}")


# ---------------------------------------------------------------------------
# Ed25519 (RFC 8032 section 5.1), pure Python
# ---------------------------------------------------------------------------

_P = 2**255 - 19
_L = 2**252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _ed_add(p, q):
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % _P
    b = (y1 + x1) * (y2 + x2) % _P
    c = 2 * t1 * t2 * _D % _P
    d = 2 * z1 * z2 % _P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _ed_double(p):
    x1, y1, z1, _ = p
    a = x1 * x1 % _P
    b = y1 * y1 % _P
    c = 2 * z1 * z1 % _P
    h = a + b
    e = h - (x1 + y1) * (x1 + y1)
    g = a - b
    f = c + g
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


_ED_ZERO = (0, 1, 1, 0)


def _ed_mul(s: int, p):
    q = _ED_ZERO
    for bit in bin(s)[2:]:
        q = _ed_double(q)
        if bit == "1":
            q = _ed_add(q, p)
    return q


def _ed_equal(p, q) -> bool:
    x1, y1, z1, _ = p
    x2, y2, z2, _ = q
    return (x1 * z2 - x2 * z1) % _P == 0 and (y1 * z2 - y2 * z1) % _P == 0


def _ed_recover_x(y: int, sign: int):
    if y >= _P:
        return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P) % _P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P != 0:
        x = x * _SQRT_M1 % _P
    if (x * x - x2) % _P != 0:
        return None
    if (x & 1) != sign:
        x = _P - x
    return x


def _ed_decompress(s: bytes):
    if len(s) != 32:
        return None
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _ed_recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % _P)


_ED_GY = 4 * pow(5, _P - 2, _P) % _P
_ED_GX = _ed_recover_x(_ED_GY, 0)
_ED_G = (_ED_GX, _ED_GY, 1, _ED_GX * _ED_GY % _P)


def _ed_small_order(p) -> bool:
    return _ed_equal(_ed_mul(8, p), _ED_ZERO)


def ed25519_verify_pure(public: bytes, message: bytes, signature: bytes) -> bool:
    """RFC 8032 5.1.7, with the cofactorless equation [S]B = R + [k]A, S < L,
    and small-order A or R refused (as strict verifiers do)."""
    if len(public) != 32 or len(signature) != 64:
        return False
    a = _ed_decompress(public)
    if a is None or _ed_small_order(a):
        return False
    r_bytes = signature[:32]
    r = _ed_decompress(r_bytes)
    if r is None or _ed_small_order(r):
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= _L:
        return False
    k = int.from_bytes(hashlib.sha512(r_bytes + public + message).digest(), "little") % _L
    return _ed_equal(_ed_mul(s, _ED_G), _ed_add(r, _ed_mul(k, a)))


# ---------------------------------------------------------------------------
# Optional acceleration with the `cryptography` package
# ---------------------------------------------------------------------------

_crypto = None


def _load_crypto(pure: bool):
    global _crypto
    if pure:
        _crypto = None
        return
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
        from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

        _crypto = {
            "InvalidSignature": InvalidSignature,
            "hashes": hashes,
            "ec": ec,
            "ed25519": ed25519,
            "padding": padding,
            "rsa": rsa,
            "Prehashed": Prehashed,
        }
    except Exception:  # noqa: BLE001 - any import problem means: not available
        _crypto = None


def backend_name() -> str:
    return "cryptography" if _crypto else "pure-python"


def ed25519_verify(public: bytes, message: bytes, signature: bytes) -> bool:
    if _crypto is not None and len(public) == 32 and len(signature) == 64:
        try:
            key = _crypto["ed25519"].Ed25519PublicKey.from_public_bytes(public)
            key.verify(signature, message)
        except _crypto["InvalidSignature"]:
            return False
        except ValueError:
            return False
        # OpenSSL accepts small-order keys and R; refuse them as above.
        a = _ed_decompress(public)
        r = _ed_decompress(signature[:32])
        return not (a is None or r is None or _ed_small_order(a) or _ed_small_order(r))
    return ed25519_verify_pure(public, message, signature)


# ---------------------------------------------------------------------------
# Merkle tree proofs (RFC 6962 hashing, RFC 9162 2.1.3.2 and 2.1.4.2)
# ---------------------------------------------------------------------------


def leaf_hash(leaf: bytes) -> bytes:
    return sha256(b"\x00" + leaf)


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right)


def verify_inclusion(index: int, size: int, leaf: bytes, path: list, root: bytes) -> bool:
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        return False
    fn, sn = index, size - 1
    r = leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first: int, second: int, first_hash: bytes, second_hash: bytes, path: list) -> bool:
    """RFC 9162 section 2.1.4.2; a proof from m to m is empty and holds when
    the roots are equal (docs/bundle.md section 6)."""
    if first == 0 or first > second:
        return False
    if first == second:
        return not path and first_hash == second_hash
    if not path:
        return False
    path = list(path)
    if first & (first - 1) == 0:
        path.insert(0, first_hash)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_hash and sr == second_hash and sn == 0


# ---------------------------------------------------------------------------
# Signed notes, checkpoints and verifier keys (docs/ledger.md section 7)
# ---------------------------------------------------------------------------


class NoteError(ValueError):
    pass


class OriginError(NoteError):
    """A validly signed note whose origin line is not the key's name."""


def key_id(name: str, public: bytes) -> bytes:
    return sha256(name.encode("utf-8") + b"\n\x01" + public)[:4]


class VerifierKey:
    def __init__(self, name: str, public: bytes):
        self.name = name
        self.public = public
        self.key_id = key_id(name, public)

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.public).hexdigest()


def parse_verifier_key(text: str) -> VerifierKey:
    """`<name>+<hex key id>+b64(0x01 || public key)`."""
    parts = text.split("+", 2)
    if len(parts) != 3:
        raise NoteError("expected <name>+<hex key id>+<base64 key>")
    name, hex_id, b64 = parts
    if not name or any(c.isspace() for c in name):
        raise NoteError("the key name is empty or holds white space")
    if not re.fullmatch(r"[0-9a-f]{8}", hex_id):
        raise NoteError("the key id is not 8 lower-case hex digits")
    raw = b64decode_strict(b64)
    if raw is None:
        raise NoteError("the key is not canonical base64")
    if len(raw) != 33 or raw[0] != 0x01:
        raise NoteError("not an Ed25519 key (type byte 0x01 and 32 bytes)")
    public = raw[1:]
    if _ed_decompress(public) is None:
        raise NoteError("the key is not a valid Ed25519 point")
    vk = VerifierKey(name, public)
    if vk.key_id.hex() != hex_id:
        raise NoteError("the key id does not match the name and key")
    return vk


class Checkpoint:
    def __init__(self, origin: str, size: int, root: bytes, note: str):
        self.origin = origin
        self.size = size
        self.root = root
        self.note = note

    @property
    def root_b64(self) -> str:
        return base64.b64encode(self.root).decode("ascii")


def verify_note(note: str, key: VerifierKey) -> Checkpoint:
    """Verify a C2SP signed note holding a tlog-checkpoint, signed by `key`
    under its name, which must also be the checkpoint's origin."""
    if not isinstance(note, str):
        raise NoteError("not text")
    if not note.endswith("\n"):
        raise NoteError("the note does not end with a newline")
    text, sep, sigs = note.partition("\n\n")
    if not sep:
        raise NoteError("no blank line between the checkpoint and its signatures")
    text += "\n"
    lines = text.split("\n")[:-1]
    if len(lines) != 3:
        raise NoteError(f"the checkpoint has {len(lines)} lines, not origin, size and root")
    origin, size_line, root_line = lines
    if not origin:
        raise NoteError("the origin line is empty")
    if not re.fullmatch(r"0|[1-9][0-9]*", size_line):
        raise NoteError("the tree size is not a decimal number without leading zeros")
    size = int(size_line)
    if size >= 2**64:
        raise NoteError("the tree size is out of range")
    root = b64_hash(root_line)
    if root is None:
        raise NoteError("the root hash is not 32 bytes of canonical base64")
    found = False
    for line in sigs[:-1].split("\n"):
        if not line.startswith("\u2014 "):
            raise NoteError(f"signature line {line!r} does not start with an em dash and a space")
        name, sp, b64 = line[2:].rpartition(" ")
        if not sp or not name:
            raise NoteError(f"signature line {line!r} is malformed")
        blob = b64decode_strict(b64)
        if blob is None:
            raise NoteError(f"signature line {line!r} is not canonical base64")
        if name != key.name or len(blob) != 68 or blob[:4] != key.key_id:
            continue  # another signer's: ignored, as signed notes allow
        found = True
        if not ed25519_verify(key.public, text.encode("utf-8"), blob[4:]):
            raise NoteError(f"the Ed25519 signature by {key.name} does not verify")
    if not found:
        raise NoteError(f"no signature by key {key.name} (key id {key.key_id.hex()})")
    if origin != key.name:
        raise OriginError(f"its origin {origin!r} is not the name of the signing key {key.name!r}")
    return Checkpoint(origin, size, root, note)


# ---------------------------------------------------------------------------
# DER (X.690) parsing, enough for CMS, X.509 and RFC 3161
# ---------------------------------------------------------------------------


class DerError(ValueError):
    pass


class Tlv:
    __slots__ = ("data", "tag", "start", "content", "end")

    def __init__(self, data: bytes, tag: int, start: int, content: int, end: int):
        self.data = data
        self.tag = tag  # the identifier octet (low-tag-number form)
        self.start = start
        self.content = content
        self.end = end

    @property
    def raw(self) -> bytes:
        return self.data[self.start : self.end]

    @property
    def value(self) -> bytes:
        return self.data[self.content : self.end]

    @property
    def constructed(self) -> bool:
        return bool(self.tag & 0x20)

    def children(self) -> list:
        if not self.constructed:
            raise DerError(f"tag 0x{self.tag:02x} is not constructed")
        return der_items(self.data, self.content, self.end)


def der_read(data: bytes, pos: int, limit: int) -> Tlv:
    if pos + 2 > limit:
        raise DerError("truncated")
    tag = data[pos]
    if tag & 0x1F == 0x1F:
        raise DerError("high tag numbers are not used here")
    first = data[pos + 1]
    p = pos + 2
    if first < 0x80:
        length = first
    elif first == 0x80:
        raise DerError("indefinite length (not DER)")
    else:
        n = first & 0x7F
        if n > 8 or p + n > limit:
            raise DerError("bad length")
        length = int.from_bytes(data[p : p + n], "big")
        if data[p] == 0 or length < 0x80:
            raise DerError("non-minimal length (not DER)")
        p += n
    if p + length > limit:
        raise DerError("truncated")
    return Tlv(data, tag, pos, p, p + length)


def der_items(data: bytes, start: int, end: int) -> list:
    out = []
    pos = start
    while pos < end:
        t = der_read(data, pos, end)
        out.append(t)
        pos = t.end
    return out


def der_parse(data: bytes) -> Tlv:
    t = der_read(data, 0, len(data))
    if t.end != len(data):
        raise DerError("trailing bytes after the DER value")
    return t


def expect(t: Tlv, tag: int, what: str) -> Tlv:
    if t.tag != tag:
        raise DerError(f"{what}: expected tag 0x{tag:02x}, found 0x{t.tag:02x}")
    return t


def der_oid(t: Tlv) -> str:
    expect(t, 0x06, "OBJECT IDENTIFIER")
    v = t.value
    if not v:
        raise DerError("empty OID")
    arcs = []
    n = 0
    for i, b in enumerate(v):
        if n == 0 and b == 0x80:
            raise DerError("non-minimal OID")
        n = (n << 7) | (b & 0x7F)
        if not b & 0x80:
            arcs.append(n)
            n = 0
        elif i == len(v) - 1:
            raise DerError("truncated OID")
    first = arcs[0]
    head = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    return ".".join(str(a) for a in head + arcs[1:])


def der_int(t: Tlv) -> int:
    expect(t, 0x02, "INTEGER")
    if not t.value:
        raise DerError("empty INTEGER")
    return int.from_bytes(t.value, "big", signed=True)


def der_seq(t: Tlv, what: str) -> list:
    return expect(t, 0x30, what).children()


OID_NAMES = {
    "1.2.840.113549.1.7.2": "signedData",
    "1.2.840.113549.1.9.16.1.4": "id-ct-TSTInfo",
    "1.2.840.113549.1.9.3": "content-type",
    "1.2.840.113549.1.9.4": "message-digest",
    "1.2.840.113549.1.9.16.2.12": "signingCertificate",
    "1.2.840.113549.1.9.16.2.47": "signingCertificateV2",
    "2.5.29.37": "extendedKeyUsage",
    "2.5.29.14": "subjectKeyIdentifier",
    "1.3.6.1.5.5.7.3.8": "timeStamping",
}
HASHES = {
    "1.3.14.3.2.26": "sha1",
    "2.16.840.1.101.3.4.2.4": "sha224",
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
}
# Hash algorithm OIDs, DER-encoded, for DigestInfo (RFC 8017 section 9.2).
HASH_OID_DER = {
    "sha224": bytes.fromhex("0609608648016503040204"),
    "sha256": bytes.fromhex("0609608648016503040201"),
    "sha384": bytes.fromhex("0609608648016503040202"),
    "sha512": bytes.fromhex("0609608648016503040203"),
}


def _der_tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(body)]) + body + content


def digest_info(hash_name: str, digest: bytes, null_params: bool = True) -> bytes:
    alg = HASH_OID_DER[hash_name] + (b"\x05\x00" if null_params else b"")
    return _der_tlv(0x30, _der_tlv(0x30, alg) + _der_tlv(0x04, digest))


RSA_SIG = {
    "1.2.840.113549.1.1.1": None,  # rsaEncryption: the hash is the signer's digest algorithm
    "1.2.840.113549.1.1.14": "sha224",
    "1.2.840.113549.1.1.11": "sha256",
    "1.2.840.113549.1.1.12": "sha384",
    "1.2.840.113549.1.1.13": "sha512",
}
ECDSA_SIG = {
    "1.2.840.10045.2.1": None,  # id-ecPublicKey used as a signature algorithm
    "1.2.840.10045.4.3.1": "sha224",
    "1.2.840.10045.4.3.2": "sha256",
    "1.2.840.10045.4.3.3": "sha384",
    "1.2.840.10045.4.3.4": "sha512",
}
OID_ED25519 = "1.3.101.112"
OID_RSA_PSS = "1.2.840.113549.1.1.10"


def oid_name(oid: str) -> str:
    return f"{OID_NAMES[oid]} ({oid})" if oid in OID_NAMES else oid


# ---------------------------------------------------------------------------
# ECDSA over NIST prime curves (FIPS 186-4), pure Python
# ---------------------------------------------------------------------------


class Curve:
    def __init__(self, name, p, a, b, n, gx, gy):
        self.name, self.p, self.a, self.b, self.n = name, p, a, b, n
        self.g = (gx, gy, 1)
        self.bytes = (p.bit_length() + 7) // 8


P256 = Curve(
    "P-256",
    0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF,
    -3,
    0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
    0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
)
P384 = Curve(
    "P-384",
    int(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFE"
        "FFFFFFFF0000000000000000FFFFFFFF",
        16,
    ),
    -3,
    int(
        "B3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875A"
        "C656398D8A2ED19D2A85C8EDD3EC2AEF",
        16,
    ),
    int(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF"
        "581A0DB248B0A77AECEC196ACCC52973",
        16,
    ),
    int(
        "AA87CA22BE8B05378EB1C71EF320AD746E1D3B628BA79B9859F741E082542A38"
        "5502F25DBF55296C3A545E3872760AB7",
        16,
    ),
    int(
        "3617DE4A96262C6F5D9E98BF9292DC29F8F41DBD289A147CE9DA3113B5F0B8C0"
        "0A60B1CE1D7E819D7A431D7C90EA0E5F",
        16,
    ),
)
CURVES = {"1.2.840.10045.3.1.7": P256, "1.3.132.0.34": P384}


def _ec_double(c: Curve, pt):
    x, y, z = pt
    if z == 0 or y == 0:
        return (0, 1, 0)
    p = c.p
    yy = y * y % p
    s = 4 * x * yy % p
    m = (3 * x * x + c.a * pow(z, 4, p)) % p
    x3 = (m * m - 2 * s) % p
    y3 = (m * (s - x3) - 8 * yy * yy) % p
    z3 = 2 * y * z % p
    return (x3, y3, z3)


def _ec_add(c: Curve, p1, p2):
    if p1[2] == 0:
        return p2
    if p2[2] == 0:
        return p1
    p = c.p
    x1, y1, z1 = p1
    x2, y2, z2 = p2
    z1z1 = z1 * z1 % p
    z2z2 = z2 * z2 % p
    u1 = x1 * z2z2 % p
    u2 = x2 * z1z1 % p
    s1 = y1 * z2 * z2z2 % p
    s2 = y2 * z1 * z1z1 % p
    if u1 == u2:
        if s1 != s2:
            return (0, 1, 0)
        return _ec_double(c, p1)
    h = (u2 - u1) % p
    r = (s2 - s1) % p
    hh = h * h % p
    hhh = h * hh % p
    x3 = (r * r - hhh - 2 * u1 * hh) % p
    y3 = (r * (u1 * hh - x3) - s1 * hhh) % p
    z3 = h * z1 * z2 % p
    return (x3, y3, z3)


def _ec_mul2(c: Curve, k1: int, p1, k2: int, p2):
    """k1*p1 + k2*p2 (Shamir's trick)."""
    both = _ec_add(c, p1, p2)
    q = (0, 1, 0)
    for i in range(max(k1.bit_length(), k2.bit_length()) - 1, -1, -1):
        q = _ec_double(c, q)
        b1, b2 = (k1 >> i) & 1, (k2 >> i) & 1
        if b1 and b2:
            q = _ec_add(c, q, both)
        elif b1:
            q = _ec_add(c, q, p1)
        elif b2:
            q = _ec_add(c, q, p2)
    return q


def ec_point(c: Curve, raw: bytes):
    p = c.p
    if len(raw) == 1 + 2 * c.bytes and raw[0] == 4:
        x = int.from_bytes(raw[1 : 1 + c.bytes], "big")
        y = int.from_bytes(raw[1 + c.bytes :], "big")
    elif len(raw) == 1 + c.bytes and raw[0] in (2, 3):
        x = int.from_bytes(raw[1:], "big")
        if x >= p:
            raise DerError("EC point x out of range")
        rhs = (x * x * x + c.a * x + c.b) % p
        y = pow(rhs, (p + 1) // 4, p)  # p = 3 mod 4 for P-256 and P-384
        if y * y % p != rhs:
            raise DerError("EC point is not on the curve")
        if (y & 1) != (raw[0] & 1):
            y = p - y
    else:
        raise DerError("EC point encoding not recognised")
    if x >= p or y >= p or (y * y - (x * x * x + c.a * x + c.b)) % p != 0:
        raise DerError(f"the public key is not a point on {c.name}")
    return (x, y, 1)


def ecdsa_verify_pure(c: Curve, point: bytes, digest: bytes, sig_der: bytes) -> bool:
    q = ec_point(c, point)
    try:
        seq = der_seq(der_parse(sig_der), "ECDSA signature")
        if len(seq) != 2:
            return False
        r, s = der_int(seq[0]), der_int(seq[1])
    except DerError:
        return False
    n = c.n
    if not (1 <= r < n and 1 <= s < n):
        return False
    e = int.from_bytes(digest, "big")
    excess = 8 * len(digest) - n.bit_length()
    if excess > 0:
        e >>= excess
    w = pow(s, -1, n)
    u1, u2 = e * w % n, r * w % n
    x, _, z = _ec_mul2(c, u1, c.g, u2, q)
    if z == 0:
        return False
    zinv = pow(z, -1, c.p)
    xa = x * zinv * zinv % c.p
    return xa % n == r


def rsa_verify_pure(n: int, e: int, hash_name: str, digest: bytes, sig: bytes) -> bool:
    """RSASSA-PKCS1-v1_5 (RFC 8017 section 8.2.2), DigestInfo with or without NULL parameters."""
    k = (n.bit_length() + 7) // 8
    if len(sig) != k:
        return False
    s = int.from_bytes(sig, "big")
    if s >= n:
        return False
    em = pow(s, e, n).to_bytes(k, "big")
    # Some signers leave out the NULL parameters of the algorithm identifier.
    candidates = [digest_info(hash_name, digest), digest_info(hash_name, digest, null_params=False)]
    for t in candidates:
        if k < len(t) + 11:
            continue
        if em == b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t:
            return True
    return False


# ---------------------------------------------------------------------------
# RFC 3161 timestamp tokens
# ---------------------------------------------------------------------------


class TokenError(ValueError):
    pass


NAME_ATTRS = {
    "2.5.4.3": "CN",
    "2.5.4.4": "SN",
    "2.5.4.5": "serialNumber",
    "2.5.4.6": "C",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "2.5.4.42": "GN",
    "1.2.840.113549.1.9.1": "emailAddress",
}


def der_string(t: Tlv) -> str:
    if t.tag in (0x0C, 0x13, 0x16, 0x14, 0x12, 0x1A):
        enc = "utf-8" if t.tag == 0x0C else "latin-1"
        return t.value.decode(enc, "replace")
    if t.tag == 0x1E:
        return t.value.decode("utf-16-be", "replace")
    if t.tag == 0x1C:
        return t.value.decode("utf-32-be", "replace")
    return "#" + t.raw.hex()


def render_name(t: Tlv) -> str:
    """An X.501 Name as RFC 4514 text (last RDN first)."""
    parts = []
    for rdn in der_seq(t, "Name"):
        atvs = []
        for atv in expect(rdn, 0x31, "RDN").children():
            oid_t, val = der_seq(atv, "AttributeTypeAndValue")
            oid = der_oid(oid_t)
            atvs.append(f"{NAME_ATTRS.get(oid, oid)}={der_string(val)}")
        parts.append("+".join(atvs))
    return ",".join(reversed(parts))


def generalized_time(t: Tlv) -> str:
    expect(t, 0x18, "GeneralizedTime")
    s = t.value.decode("ascii", "replace")
    m = re.fullmatch(r"([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})(\.[0-9]+)?Z", s)
    if not m:
        raise DerError(f"GeneralizedTime {s!r} is not in the DER form")
    y, mo, d, h, mi, sec, frac = m.groups()
    return f"{y}-{mo}-{d}T{h}:{mi}:{sec}{frac or ''}Z"


def alg_oid(t: Tlv) -> str:
    seq = der_seq(t, "AlgorithmIdentifier")
    if not seq:
        raise DerError("empty AlgorithmIdentifier")
    return der_oid(seq[0])


def hash_alg(t: Tlv) -> str:
    """A digest AlgorithmIdentifier: its name (or OID); parameters absent or NULL."""
    seq = der_seq(t, "AlgorithmIdentifier")
    if not seq or len(seq) > 2 or (len(seq) == 2 and seq[1].raw != b"\x05\x00"):
        raise DerError("a digest algorithm identifier has unexpected parameters")
    oid = der_oid(seq[0])
    return HASHES.get(oid, oid)


class Certificate:
    def __init__(self, tlv: Tlv):
        self.der = tlv.raw
        cert = der_seq(tlv, "Certificate")
        if len(cert) != 3:
            raise DerError("Certificate is not tbsCertificate, algorithm, signature")
        tbs = der_seq(cert[0], "TBSCertificate")
        i = 0
        if tbs and tbs[0].tag == 0xA0:
            i = 1
        self.serial = tbs[i].value
        der_int(tbs[i])
        self.issuer_der = expect(tbs[i + 2], 0x30, "issuer").raw
        self.subject = render_name(tbs[i + 4])
        spki = der_seq(tbs[i + 5], "SubjectPublicKeyInfo")
        alg = der_seq(spki[0], "AlgorithmIdentifier")
        self.key_alg = der_oid(alg[0])
        self.key_params = alg[1] if len(alg) > 1 else None
        bits = expect(spki[1], 0x03, "subjectPublicKey").value
        if not bits or bits[0] != 0:
            raise DerError("subjectPublicKey has unused bits")
        self.key_bits = bits[1:]
        self.eku = None
        self.ski = None
        for t in tbs[i + 6 :]:
            if t.tag != 0xA3:
                continue
            (exts,) = t.children()
            for ext in der_seq(exts, "Extensions"):
                parts = der_seq(ext, "Extension")
                oid = der_oid(parts[0])
                value = expect(parts[-1], 0x04, "extnValue").value
                if oid == "2.5.29.37":
                    self.eku = [der_oid(k) for k in der_seq(der_parse(value), "ExtKeyUsageSyntax")]
                elif oid == "2.5.29.14":
                    self.ski = expect(der_parse(value), 0x04, "SubjectKeyIdentifier").value

    @property
    def sha256_hex(self) -> str:
        return hashlib.sha256(self.der).hexdigest()


def verify_signature(cert: Certificate, sig_alg: str, digest_alg: str, message: bytes, sig: bytes):
    """Check `sig` over `message` with the certificate's key; raise TokenError."""
    if sig_alg in RSA_SIG:
        if cert.key_alg != "1.2.840.113549.1.1.1":
            raise TokenError(f"an RSA signature, but the certificate's key is {cert.key_alg}")
        h = RSA_SIG[sig_alg] or digest_alg
        if h not in HASH_OID_DER:
            raise TokenError(f"unsupported hash {h} for RSA")
        if RSA_SIG[sig_alg] and h != digest_alg:
            raise TokenError(f"the signature algorithm hashes with {h}, the signer's digest algorithm is {digest_alg}")
        n_t, e_t = der_seq(der_parse(cert.key_bits), "RSAPublicKey")
        n, e = der_int(n_t), der_int(e_t)
        if n <= 0 or e <= 0:
            raise TokenError("the RSA key is malformed")
        if n.bit_length() < 2048:
            raise TokenError(f"the RSA key has {n.bit_length()} bits, fewer than 2048")
        digest = hashlib.new(h, message).digest()
        if _crypto is not None:
            try:
                key = _crypto["rsa"].RSAPublicNumbers(e, n).public_key()
                key.verify(
                    sig,
                    digest,
                    _crypto["padding"].PKCS1v15(),
                    _crypto["Prehashed"](getattr(_crypto["hashes"], h.upper())()),
                )
                ok = True
            except _crypto["InvalidSignature"]:
                ok = rsa_verify_pure(n, e, h, digest, sig)  # e.g. DigestInfo without NULL
        else:
            ok = rsa_verify_pure(n, e, h, digest, sig)
        if not ok:
            raise TokenError("the RSA signature over the signed attributes does not verify with the certificate's key")
        return
    if sig_alg in ECDSA_SIG:
        if cert.key_alg != "1.2.840.10045.2.1" or cert.key_params is None:
            raise TokenError(f"an ECDSA signature, but the certificate's key is {cert.key_alg}")
        curve_oid = der_oid(cert.key_params)
        curve = CURVES.get(curve_oid)
        if curve is None:
            raise TokenError(f"unsupported elliptic curve {curve_oid}")
        h = ECDSA_SIG[sig_alg] or digest_alg
        if h not in HASH_OID_DER:
            raise TokenError(f"unsupported hash {h} for ECDSA")
        digest = hashlib.new(h, message).digest()
        if _crypto is not None:
            try:
                ec = _crypto["ec"]
                named = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1()}[curve.name]
                key = ec.EllipticCurvePublicKey.from_encoded_point(named, cert.key_bits)
                key.verify(sig, digest, ec.ECDSA(_crypto["Prehashed"](getattr(_crypto["hashes"], h.upper())())))
                ok = True
            except (_crypto["InvalidSignature"], ValueError):
                ok = False
        else:
            try:
                ok = ecdsa_verify_pure(curve, cert.key_bits, digest, sig)
            except DerError as e:
                raise TokenError(str(e)) from None
        if not ok:
            raise TokenError(f"the ECDSA ({curve.name}) signature over the signed attributes does not verify with the certificate's key")
        return
    if sig_alg == OID_ED25519:
        if cert.key_alg != OID_ED25519:
            raise TokenError(f"an Ed25519 signature, but the certificate's key is {cert.key_alg}")
        if not ed25519_verify(cert.key_bits, message, sig):
            raise TokenError("the Ed25519 signature over the signed attributes does not verify with the certificate's key")
        return
    if sig_alg == OID_RSA_PSS:
        raise TokenError("the signature algorithm RSASSA-PSS is not supported by this verifier")
    raise TokenError(f"the signature algorithm {sig_alg} is not supported by this verifier")


def verify_token(token: bytes, expected: bytes) -> dict:
    """Check an RFC 3161 TimeStampToken over the SHA-256 `expected`.

    Returns the time, the signer's subject and its certificate's SHA-256, or
    raises TokenError / DerError."""
    ci = der_seq(der_parse(token), "ContentInfo")
    if len(ci) != 2 or der_oid(ci[0]) != "1.2.840.113549.1.7.2":
        raise TokenError("not a CMS SignedData ContentInfo")
    (sd_t,) = expect(ci[1], 0xA0, "ContentInfo content").children()
    sd = der_seq(sd_t, "SignedData")
    if len(sd) < 4:
        raise TokenError("SignedData is incomplete")
    der_int(sd[0])
    encap = der_seq(sd[2], "EncapsulatedContentInfo")
    ctype = der_oid(encap[0])
    if ctype != "1.2.840.113549.1.9.16.1.4":
        raise TokenError(f"the signed content is {oid_name(ctype)}, not a TSTInfo")
    if len(encap) != 2:
        raise TokenError("the TSTInfo is missing")
    (octets,) = expect(encap[1], 0xA0, "eContent").children()
    tst_der = expect(octets, 0x04, "eContent OCTET STRING").value
    rest = sd[3:]
    certs = []
    if rest and rest[0].tag == 0xA0:
        for c in rest[0].children():
            if c.tag == 0x30:
                certs.append(Certificate(c))
        rest = rest[1:]
    if rest and rest[0].tag == 0xA1:
        rest = rest[1:]
    if len(rest) != 1:
        raise TokenError("SignedData has no signerInfos")
    signers = expect(rest[0], 0x31, "signerInfos").children()
    if len(signers) != 1:
        raise TokenError(f"the token has {len(signers)} signers, not one")

    # TSTInfo: message imprint, time.
    tst = der_seq(der_parse(tst_der), "TSTInfo")
    if der_int(tst[0]) != 1:
        raise TokenError("TSTInfo version is not 1")
    mi = der_seq(tst[2], "MessageImprint")
    imprint_alg = hash_alg(mi[0])
    if imprint_alg != "sha256":
        raise TokenError(f"the message imprint uses {imprint_alg}, not SHA-256")
    imprint = expect(mi[1], 0x04, "hashedMessage").value
    if imprint != expected:
        raise TokenError(
            f"the token's message imprint {imprint.hex()} is not the SHA-256 of the covered checkpoint note ({expected.hex()})"
        )
    gen_time = generalized_time(tst[4])

    # The signer.
    si = der_seq(signers[0], "SignerInfo")
    der_int(si[0])
    sid = si[1]
    digest_alg = hash_alg(si[2])
    if digest_alg not in HASHES.values():
        raise TokenError(f"the digest algorithm {digest_alg} is not supported by this verifier")
    if digest_alg == "sha1":
        raise TokenError("the signer's digest algorithm is SHA-1, which is too weak")
    if si[3].tag != 0xA0:
        raise TokenError("the signer has no signed attributes")
    attrs_t = si[3]
    sig_alg_seq = der_seq(si[4], "signatureAlgorithm")
    sig_alg = der_oid(sig_alg_seq[0])
    signature = expect(si[5], 0x04, "signature").value

    if sid.tag == 0x30:
        issuer_t, serial_t = der_seq(sid, "IssuerAndSerialNumber")
        der_int(serial_t)
        matching = [c for c in certs if c.issuer_der == issuer_t.raw and c.serial == serial_t.value]
    elif sid.tag == 0x80:
        matching = [c for c in certs if c.ski is not None and c.ski == sid.value]
    else:
        raise TokenError("the signer identifier is malformed")
    if not matching:
        raise TokenError("the signer's certificate is not in the token")
    cert = matching[0]
    if cert.eku is None or "1.3.6.1.5.5.7.3.8" not in cert.eku:
        raise TokenError(f"the signer's certificate ({cert.subject}) lacks the time-stamping extended key usage")

    # Signed attributes: content type, message digest, ESS certificate id.
    attrs = {}
    for a in attrs_t.children():
        parts = der_seq(a, "Attribute")
        oid = der_oid(parts[0])
        if oid in attrs:
            raise TokenError(f"the signed attribute {oid_name(oid)} appears twice")
        values = expect(parts[1], 0x31, "attribute values").children()
        attrs[oid] = values
    ct = attrs.get("1.2.840.113549.1.9.3")
    if not ct or len(ct) != 1 or der_oid(ct[0]) != "1.2.840.113549.1.9.16.1.4":
        raise TokenError("the content-type signed attribute is missing or is not id-ct-TSTInfo")
    md = attrs.get("1.2.840.113549.1.9.4")
    if not md or len(md) != 1:
        raise TokenError("the message-digest signed attribute is missing")
    want = hashlib.new(digest_alg, tst_der).digest()
    if expect(md[0], 0x04, "message-digest").value != want:
        raise TokenError(f"the message-digest signed attribute is not the {digest_alg.upper()} of the TSTInfo")
    for oid, hash_name in (("1.2.840.113549.1.9.16.2.12", "sha1"), ("1.2.840.113549.1.9.16.2.47", None)):
        if oid not in attrs:
            continue
        sc = der_seq(attrs[oid][0], "SigningCertificate")
        first = der_seq(der_seq(sc[0], "certs")[0], "ESSCertID")
        alg = hash_name
        i = 0
        if alg is None:
            alg = "sha256"
            if first[0].tag == 0x30:
                alg = hash_alg(first[0])
                i = 1
        if alg not in ("sha1", "sha224", "sha256", "sha384", "sha512"):
            raise TokenError(f"the ESS certificate hash algorithm {alg} is not supported")
        if expect(first[i], 0x04, "certHash").value != hashlib.new(alg, cert.der).digest():
            raise TokenError(f"the {OID_NAMES[oid]} attribute names another certificate than the signer's")
    # The signature is over the DER of the attributes as a SET OF (tag 0x31).
    signed = b"\x31" + attrs_t.data[attrs_t.start + 1 : attrs_t.end]
    verify_signature(cert, sig_alg, digest_alg, signed, signature)
    return {
        "time": gen_time,
        "signer": cert.subject,
        "signer_certificate_sha256": cert.sha256_hex,
    }


# ---------------------------------------------------------------------------
# The bundle
# ---------------------------------------------------------------------------


def unsafe_name(name: str) -> bool:
    return (
        name.startswith("/")
        or "\\" in name
        or "\x00" in name
        or any(p in ("..", ".") for p in name.split("/"))
        or re.match(r"^[A-Za-z]:", name) is not None
    )


class Record:
    """One checked line of records.jsonl."""

    def __init__(self, leaf_index, envelope_text, envelope):
        self.leaf_index = leaf_index
        self.envelope_text = envelope_text
        self.env = envelope
        self.id = envelope.get("id") if isinstance(envelope.get("id"), str) else "?"
        self.type = envelope.get("type") if isinstance(envelope.get("type"), str) else "?"
        self.leaf_hash = leaf_hash(envelope_text.encode("utf-8"))
        self.disclosed = {}
        self.withheld = []

    @property
    def what(self) -> str:
        return f"record {self.id} (leaf {self.leaf_index})"

    def text(self, name):
        v = self.disclosed.get(name)
        return v if isinstance(v, str) else None

    def clinical_withheld(self) -> bool:
        for w in self.withheld:
            if w == "clinical":
                return True
            if w == "notes" and self.type == "action" and self.text("kind") == "psychiatric_referral":
                return True
        return False


class Verifier:
    def __init__(self, path: str):
        self.path = path
        self.errors: list[str] = []
        # (size, sha256) of each token the disclosure record lists; None until read.
        self.disclosed_tokens = None
        self.report = {
            "ok": False,
            "case": None,
            "profile": None,
            "profile_description": None,
            "include_clinical": None,
            "exported_at": None,
            "exported_by": None,
            "recipient": None,
            "reason": None,
            "disclosure_record": None,
            "records": 0,
            "attachments": 0,
            "attachment_files_verified": 0,
            "attachments_withheld": 0,
            "withheld_fields": 0,
            "records_with_withheld_fields": 0,
            "clinical_withheld_records": 0,
            "key_fingerprint": None,
            "checkpoint_origin": None,
            "checkpoint_size": None,
            "checkpoint_root": None,
            "timestamps": [],
            "errors": self.errors,
        }

    def fail(self, message: str):
        self.errors.append(message)

    # -- zip -------------------------------------------------------------

    def open_zip(self):
        try:
            with open(self.path, "rb") as f:
                head = f.read(64)
        except OSError as e:
            raise Unreadable(f"cannot open {self.path}: {e.strerror or e}") from None
        if head.startswith(b"age-encryption.org/v1"):
            raise Unreadable(
                f"{self.path} is encrypted with age: decrypt it first (age -d -o bundle.zip {self.path}), then check the zip"
            )
        try:
            return zipfile.ZipFile(self.path)
        except Exception as e:  # noqa: BLE001 - BadZipFile, NotImplementedError, OSError, ...
            raise Unreadable(f"{self.path} is not a readable zip archive: {e}") from None

    def read_members(self, zf):
        """Check names (check 1); returns name -> ZipInfo of the usable members."""
        members = {}
        for info in zf.infolist():
            name = info.filename
            if unsafe_name(name) or name != info.orig_filename:
                self.fail(f"zip member {name!r} has an unsafe path")
                continue
            if name in members:
                self.fail(f"the zip holds two members named {name}")
                continue
            members[name] = info
        return members

    def read(self, zf, members, name, limit=MAX_DOCUMENT):
        info = members.get(name)
        if info is None:
            self.fail(f"{name} is missing from the bundle")
            return None
        if info.is_dir():
            self.fail(f"{name} is a folder, not a file")
            return None
        if info.file_size > limit:
            self.fail(f"{name} is {info.file_size} bytes, more than a bundle document can be")
            return None
        try:
            with zf.open(info) as f:
                data = f.read(limit + 1)
        except Exception as e:  # noqa: BLE001 - CRC and zlib errors, truncation, encryption
            self.fail(f"{name} cannot be read (damaged?): {e}")
            return None
        if len(data) > limit:
            self.fail(f"{name} is larger than a bundle document can be")
            return None
        return data

    def hash_member(self, zf, info):
        h = hashlib.sha256()
        n = 0
        try:
            with zf.open(info) as f:
                while True:
                    chunk = f.read(1 << 20)
                    if not chunk:
                        break
                    h.update(chunk)
                    n += len(chunk)
        except Exception as e:  # noqa: BLE001 - CRC errors, zlib errors, truncation
            self.fail(f"{info.filename} cannot be read (damaged?): {e}")
            return None
        return h.hexdigest(), n

    # -- run ---------------------------------------------------------------

    def run(self):
        zf = self.open_zip()
        with zf:
            self.check(zf)
        self.report["ok"] = not self.errors
        return self.report

    def check(self, zf):
        members = self.read_members(zf)

        # 2. The key.
        key = None
        raw = self.read(zf, members, PUBLIC_KEY)
        if raw is not None:
            try:
                text = raw.decode("utf-8")
                if text.endswith("\n"):
                    text = text[:-1]
                if "\n" in text:
                    raise NoteError("more than one line")
                key = parse_verifier_key(text)
                self.report["key_fingerprint"] = key.fingerprint
            except (UnicodeDecodeError, NoteError) as e:
                self.fail(f"{PUBLIC_KEY}: not a signed-note Ed25519 verifier key: {e}")

        # 3. The checkpoint.
        head = None
        raw = self.read(zf, members, CHECKPOINT)
        if raw is not None and key is not None:
            try:
                head = verify_note(raw.decode("utf-8"), key)
            except UnicodeDecodeError:
                self.fail(f"{CHECKPOINT}: not UTF-8 text")
            except OriginError as e:
                self.fail(f"{CHECKPOINT}: {e} (signed-note key names are the log's origin)")
            except NoteError as e:
                self.fail(f"{CHECKPOINT}: the signature does not verify with the key in {PUBLIC_KEY}: {e}")
        if head is not None:
            self.report["checkpoint_origin"] = head.origin
            self.report["checkpoint_size"] = head.size
            self.report["checkpoint_root"] = head.root_b64

        # 4. The manifest.
        manifest = self.check_manifest(zf, members, head, key)

        # 5. Records.
        case = manifest["case"] if manifest else None
        records = self.check_records(zf, members, case)
        self.report["records"] = len(records)
        self.report["withheld_fields"] = sum(len(r.withheld) for r in records)
        self.report["records_with_withheld_fields"] = sum(1 for r in records if r.withheld)
        self.report["clinical_withheld_records"] = sum(1 for r in records if r.clinical_withheld())

        # 6. Manifest records against records.jsonl.
        if manifest:
            self.check_manifest_records(manifest, records)

        # 7. Proofs.
        proofs = self.read_proofs(zf, members)
        if proofs is not None and head is not None and key is not None:
            self.check_proofs(proofs, head, key, records, case)

        # 8. The disclosure record.
        withheld_attachments = set()
        if manifest:
            withheld_attachments = self.check_disclosure_record(manifest, records)

        # 9. Attachments.
        wanted_files = set()
        if manifest:
            wanted_files = self.check_attachments(zf, members, manifest, records, withheld_attachments)

        # 10. Timestamps.
        wanted_tokens = set()
        if manifest:
            wanted_tokens = {t["file"] for t in manifest["timestamps"]}
            if proofs is not None and head is not None and key is not None:
                self.check_timestamps(zf, members, manifest, proofs, head, key)
            if self.disclosed_tokens is not None:
                present = set()
                for t in manifest["timestamps"]:
                    if t["file"] in members:
                        token = self.read(zf, members, t["file"], MAX_TOKEN)
                        if token is not None:
                            present.add((t["checkpoint_size"], hashlib.sha256(token).hexdigest()))
                for size, sha in sorted(self.disclosed_tokens - present):
                    self.fail(
                        f"the timestamp token over checkpoint {size} (SHA-256 {sha}) is listed in the disclosure record but missing from the bundle"
                    )
                for size, sha in sorted(present - self.disclosed_tokens):
                    self.fail(
                        f"a timestamp token over checkpoint {size} (SHA-256 {sha}) is in the bundle but not in the disclosure record"
                    )

        # 1. Nothing the format does not name.
        fixed = {MANIFEST, RECORDS, PROOFS, CHECKPOINT, PUBLIC_KEY, REPORT, VERIFY}
        for name in members:
            if name in fixed:
                continue
            if name.startswith(ATTACHMENTS):
                if manifest and name not in wanted_files:
                    self.fail(f"{name} is not the bytes of any attachment record in the bundle")
                continue
            if name.startswith(TIMESTAMPS) and TOKEN_NAME_RE.fullmatch(name):
                if manifest and name not in wanted_tokens:
                    self.fail(f"unexpected member {name} in the bundle: {MANIFEST} lists no such timestamp token")
                continue
            self.fail(f"unexpected member {name} in the bundle")

    # -- manifest ------------------------------------------------------------

    def check_manifest(self, zf, members, head, key):
        raw = self.read(zf, members, MANIFEST)
        if raw is None:
            return None
        try:
            m = json_bytes(raw)
        except JsonError as e:
            self.fail(f"{MANIFEST}: not valid JSON: {e}")
            return None
        problems = []
        shape_ok = self.manifest_shape(m, problems)
        for p in problems:
            self.fail(f"{MANIFEST}: {p}")
        if not shape_ok:
            return None
        if m["format"] != FORMAT or m["version"] != VERSION:
            self.fail(f"{MANIFEST}: format {m['format']!r} version {m['version']} is not {FORMAT} version {VERSION}")
            return None
        for k in ("case", "profile", "profile_description", "include_clinical", "exported_at", "exported_by", "recipient", "reason", "disclosure_record"):
            self.report[k] = m.get(k)
        if m["profile"] not in PROFILES:
            self.fail(f"{MANIFEST}: profile {m['profile']!r} is not one of {', '.join(PROFILES)}")
        c = m["checkpoint"]
        if head is not None and (c["origin"] != head.origin or c["size"] != head.size or c["root"] != head.root_b64):
            self.fail(
                f"{MANIFEST}: its checkpoint (origin {c['origin']}, size {c['size']}, root {c['root']}) is not the one in {CHECKPOINT}"
            )
        if key is not None and c["key_fingerprint"] != key.fingerprint:
            self.fail(
                f"{MANIFEST}: key fingerprint {c['key_fingerprint']} is not the fingerprint of {PUBLIC_KEY} ({key.fingerprint})"
            )
        return m

    @staticmethod
    def manifest_shape(m, problems) -> bool:
        """Types and members of manifest.json (docs/bundle.md section 3)."""

        def obj(value, where, required, optional=()):
            if not isinstance(value, dict):
                problems.append(f"{where} is not a JSON object")
                return False
            ok = True
            for k in value:
                if k not in required and k not in optional:
                    problems.append(f"{where} has an unknown member {k!r}")
                    ok = False
            for k, check in required.items():
                if k not in value:
                    problems.append(f"{where} lacks {k!r}")
                    ok = False
                elif not check(value[k]):
                    problems.append(f"{where}: {k!r} has the wrong type")
                    ok = False
            for k, check in dict(optional).items():
                if k in value and not check(value[k]):
                    problems.append(f"{where}: {k!r} has the wrong type")
                    ok = False
            return ok

        s = lambda v: isinstance(v, str)  # noqa: E731
        ok = obj(
            m,
            "the manifest",
            {
                "format": s,
                "version": is_int,
                "case": s,
                "profile": s,
                "profile_description": s,
                "include_clinical": lambda v: isinstance(v, bool),
                "disclosure_record": s,
                "exported_at": s,
                "exported_by": s,
                "checkpoint": lambda v: isinstance(v, dict),
                "records": lambda v: isinstance(v, list),
                "attachments": lambda v: isinstance(v, list),
                "timestamps": lambda v: isinstance(v, list),
            },
            {"recipient": s, "reason": s},
        )
        if not ok:
            return False
        ok &= obj(m["checkpoint"], "checkpoint", {"origin": s, "size": is_uint, "root": s, "key_fingerprint": s})
        for i, r in enumerate(m["records"]):
            ok &= obj(
                r,
                f"records[{i}]",
                {"leaf_index": is_uint, "id": s, "type": s, "disclosed": is_str_list, "withheld": is_str_list},
            )
        for i, a in enumerate(m["attachments"]):
            ok &= obj(
                a,
                f"attachments[{i}]",
                {"record": s, "belongs_to": s, "sha256": s, "size": is_uint, "media_type": s, "name": s},
                {"file": s, "withheld": s},
            )
        for i, t in enumerate(m["timestamps"]):
            ok &= obj(t, f"timestamps[{i}]", {"file": s, "checkpoint_size": is_uint, "authority": s})
        return ok

    # -- records ---------------------------------------------------------------

    def check_records(self, zf, members, case):
        raw = self.read(zf, members, RECORDS)
        if raw is None:
            return []
        if raw and not raw.endswith(b"\n"):
            self.fail(f"{RECORDS}: the last line is not terminated by a newline")
        out = []
        previous = None
        seen_ids = {}
        lines = raw.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        for n, line in enumerate(lines, 1):
            at = f"{RECORDS} line {n}"
            try:
                obj = json_bytes(line)
            except JsonError as e:
                self.fail(f"{at}: not a JSON record line: {e}")
                continue
            if not isinstance(obj, dict) or set(obj) != {"leaf_index", "envelope", "disclosures", "withheld"}:
                self.fail(f"{at}: not a record line (leaf_index, envelope, disclosures, withheld)")
                continue
            leaf, env_text, discs, withheld = obj["leaf_index"], obj["envelope"], obj["disclosures"], obj["withheld"]
            if not is_uint(leaf) or not isinstance(env_text, str) or not is_str_list(discs) or not is_str_list(withheld):
                self.fail(f"{at}: a member of the record line has the wrong type")
                continue
            try:
                env_text.encode("utf-8")
            except UnicodeEncodeError:
                self.fail(f"{at} (leaf {leaf}): the envelope is not valid Unicode")
                continue
            env, problem = self.parse_envelope(env_text)
            if env is None:
                self.fail(f"{at} (leaf {leaf}): the envelope is not valid: {problem}")
                continue
            r = Record(leaf, env_text, env)
            if problem:
                self.fail(f"{at}: {r.what}: the envelope is not valid: {problem}")
            if previous is not None and leaf <= previous:
                self.fail(f"{at}: {r.what} comes after leaf {previous}: records are not in ledger order (reordered or repeated)")
            previous = leaf if previous is None else max(previous, leaf)
            if r.id in seen_ids:
                self.fail(f"{at}: {r.what} appears twice in {RECORDS} (also on line {seen_ids[r.id]})")
            seen_ids.setdefault(r.id, n)
            if case is not None and env.get("case") != case:
                self.fail(
                    f"{r.what} belongs to case {env.get('case', '(none)')}, not to {case}: a record from elsewhere was inserted"
                )
            fields = env.get("fields", {})
            for k, s in enumerate(discs, 1):
                try:
                    d = json_strict(s)
                    s.encode("utf-8")
                except (JsonError, UnicodeEncodeError):
                    d = None
                if not (isinstance(d, list) and len(d) == 3 and isinstance(d[0], str) and isinstance(d[1], str)):
                    self.fail(f"{r.what}: disclosure {k} is not [salt, name, value]")
                    continue
                name = d[1]
                if name not in fields:
                    self.fail(f"{r.what}: discloses field '{name}', which the record does not commit to")
                    continue
                if b64url_nopad(sha256(s.encode("utf-8"))) != fields[name]:
                    self.fail(
                        f"{r.what}: the disclosed value of field '{name}' does not match its digest (the value, its salt or its name was altered)"
                    )
                    continue
                if name in r.disclosed:
                    self.fail(f"{r.what}: field '{name}' is disclosed twice")
                    continue
                r.disclosed[name] = d[2]
            r.withheld = sorted(k for k in fields if k not in r.disclosed)
            if sorted(withheld) != r.withheld:
                self.fail(
                    f"{r.what}: lists withheld fields {sorted(withheld)}, but the fields without disclosures are {r.withheld}"
                )
            out.append(r)
        return out

    @staticmethod
    def parse_envelope(text: str):
        """(envelope, problem): envelope None when it cannot be used at all."""
        try:
            env = json_strict(text)
        except JsonError as e:
            return None, f"not JSON ({e})"
        if not isinstance(env, dict):
            return None, "not a JSON object"
        if env.get("v") != 1 or not is_int(env.get("v")):
            return None, f"version {env.get('v')!r} is not 1"
        try:
            canonical = jcs(env)
        except JsonError as e:
            return None, f"cannot be canonicalised ({e})"
        problems = []
        if canonical != text:
            problems.append("it is not in JCS (RFC 8785) form")
        unknown = sorted(set(env) - ENVELOPE_MEMBERS)
        if unknown:
            problems.append(f"unknown members {unknown}")
        for k in ("id", "type", "recorded_at"):
            if not isinstance(env.get(k), str):
                problems.append(f"'{k}' is missing or not a string")
        for k in ("case", "occurred_at", "channel", "target"):
            if k in env and not isinstance(env[k], str):
                problems.append(f"'{k}' is not a string")
        fields = env.get("fields")
        if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
            problems.append("'fields' is missing or not an object of digests")
            env["fields"] = {}
        typ = env.get("type")
        if isinstance(typ, str):
            prefix = ID_PREFIX.get(typ)
            if prefix is None:
                problems.append(f"unknown record type {typ!r}")
            elif isinstance(env.get("id"), str) and (
                not ID_RE.fullmatch(env["id"]) or env["id"].split("_", 1)[0] != prefix
            ):
                problems.append(f"id {env['id']!r} is not a {typ} record id ({prefix}_…)")
            if typ != "ledger_initialised" and "case" not in env:
                problems.append("it has no case")
            if typ == "disclosure" and any(k in env for k in ("occurred_at", "channel", "target")):
                problems.append("a disclosure record has occurred_at, channel or target")
        return env, "; ".join(problems)

    def check_manifest_records(self, m, records):
        mr = m["records"]
        if len(mr) != len(records):
            self.fail(f"{MANIFEST} lists {len(mr)} records but {RECORDS} holds {len(records)}")
        for e, r in zip(mr, records):
            disclosed = sorted(r.disclosed)
            if (
                e["leaf_index"] != r.leaf_index
                or e["id"] != r.id
                or e["type"] != r.type
                or sorted(e["disclosed"]) != disclosed
                or len(set(e["disclosed"])) != len(e["disclosed"])
                or sorted(e["withheld"]) != r.withheld
                or len(set(e["withheld"])) != len(e["withheld"])
            ):
                self.fail(
                    f"{MANIFEST}: its entry for {e['id']} (leaf {e['leaf_index']}) does not match {RECORDS} "
                    f"(record {r.id} at leaf {r.leaf_index}: type {r.type}, disclosed {disclosed}, withheld {r.withheld})"
                )

    # -- proofs ------------------------------------------------------------------

    def read_proofs(self, zf, members):
        raw = self.read(zf, members, PROOFS)
        if raw is None:
            return None
        try:
            p = json_bytes(raw)
        except JsonError as e:
            self.fail(f"{PROOFS}: not valid JSON: {e}")
            return None

        def cproof(v):
            return (
                isinstance(v, dict)
                and set(v) == {"checkpoint", "path"}
                and isinstance(v["checkpoint"], str)
                and is_str_list(v["path"])
            )

        ok = (
            isinstance(p, dict)
            and set(p) == {"tree_size", "inclusion", "consistency", "timestamps"}
            and is_uint(p["tree_size"])
            and isinstance(p["inclusion"], list)
            and all(
                isinstance(i, dict) and set(i) == {"leaf_index", "path"} and is_uint(i["leaf_index"]) and is_str_list(i["path"])
                for i in p["inclusion"]
            )
            and cproof(p["consistency"])
            and isinstance(p["timestamps"], list)
            and all(cproof(t) for t in p["timestamps"])
        )
        if not ok:
            self.fail(f"{PROOFS}: not valid proofs (tree_size, inclusion, consistency, timestamps with the types of docs/bundle.md section 6)")
            return None
        return p

    @staticmethod
    def decode_path(path):
        out = []
        for s in path:
            h = b64_hash(s)
            if h is None:
                return None
            out.append(h)
        return out

    def check_proofs(self, p, head, key, records, case):
        if p["tree_size"] != head.size:
            self.fail(f"{PROOFS}: tree size {p['tree_size']} is not the checkpoint's size {head.size}")
            return
        by_leaf = {}
        for i in p["inclusion"]:
            if i["leaf_index"] in by_leaf:
                self.fail(f"{PROOFS}: two inclusion proofs for leaf {i['leaf_index']}")
            by_leaf[i["leaf_index"]] = i["path"]
        order = [i["leaf_index"] for i in p["inclusion"]]
        if order != sorted(order):
            self.fail(f"{PROOFS}: the inclusion proofs are not in leaf order")
        for r in records:
            path = by_leaf.pop(r.leaf_index, None)
            if path is None:
                self.fail(f"{r.what}: no inclusion proof in {PROOFS}")
                continue
            hashes = self.decode_path(path)
            if hashes is None:
                self.fail(f"{r.what}: its inclusion proof holds a hash that is not 32 bytes of base64")
                continue
            if not verify_inclusion(r.leaf_index, head.size, r.leaf_hash, hashes, head.root):
                self.fail(
                    f"{r.what}: its inclusion proof does not lead to the signed root: the record or the proof was altered"
                )
        for leaf in sorted(by_leaf):
            self.fail(f"{PROOFS}: inclusion proof for leaf {leaf}, which is not in {RECORDS}")

        # The case's history since its first record is an append-only extension.
        opened = [r for r in records if r.type == "case_opened" and r.id == case]
        try:
            old = self.verify_extension(p["consistency"], head, key)
        except NoteError as e:
            self.fail(f"{PROOFS}: case consistency proof: {e}")
            return
        if case is not None and not opened:
            self.fail(f"the case_opened record of case {case} is missing from the bundle; the case consistency proof cannot be tied to it")
        for r in opened:
            if old.size <= r.leaf_index:
                self.fail(
                    f"{PROOFS}: case consistency proof: the earlier checkpoint (size {old.size}) does not contain the case's opening record (leaf {r.leaf_index})"
                )

    @staticmethod
    def verify_extension(proof, head, key) -> Checkpoint:
        try:
            old = verify_note(proof["checkpoint"], key)
        except OriginError as e:
            raise NoteError(f"the earlier checkpoint: {e}") from None
        except NoteError as e:
            raise NoteError(f"the earlier checkpoint's signature does not verify: {e}") from None
        if old.origin != head.origin:
            raise NoteError(f"the earlier checkpoint is from another log ({old.origin})")
        hashes = Verifier.decode_path(proof["path"])
        if hashes is None:
            raise NoteError("a proof hash is not 32 bytes of base64")
        if not verify_consistency(old.size, head.size, old.root, head.root, hashes):
            raise NoteError(
                f"the tree of {head.size} leaves is not an append-only extension of the tree of {old.size} (the consistency proof fails)"
            )
        return old

    # -- the disclosure record -----------------------------------------------------

    def check_disclosure_record(self, m, records):
        did = m["disclosure_record"]
        found = [r for r in records if r.id == did]
        if not found:
            self.fail(f"the disclosure record {did} named in {MANIFEST} is not in the bundle")
            return set()
        d = found[0]
        what = f"disclosure record {did}"
        if d.type != "disclosure":
            self.fail(f"{what} is a {d.type} record, not a disclosure")
            return set()
        if d.withheld:
            self.fail(f"{what}: fields {d.withheld} are withheld; it must be disclosed in full")
        known = {"profile", "recipient", "reason", "by", "range", "include_clinical", "records", "attachments_withheld", "timestamps"}
        unknown = sorted(set(d.env.get("fields", {})) - known)
        if unknown:
            self.fail(f"{what}: unknown fields {unknown}")

        def same(field, got, label):
            have = d.disclosed.get(field)
            if have != got:
                self.fail(f"{what}: its {field} is {have!r} but {MANIFEST} says {label} {got!r}")

        same("profile", m["profile"], "profile")
        same("by", m["exported_by"], "exported_by")
        same("recipient", m.get("recipient"), "recipient")
        same("reason", m.get("reason"), "reason")
        ic = d.disclosed.get("include_clinical")
        if not isinstance(ic, bool) or ic != m["include_clinical"]:
            self.fail(f"{what}: its include_clinical is {ic!r} but {MANIFEST} says {m['include_clinical']!r}")
        if ic is True and not d.text("reason"):
            self.fail(f"{what}: clinical information is included without a reason")
        if d.env.get("recorded_at") != m["exported_at"]:
            self.fail(f"{what}: recorded at {d.env.get('recorded_at')}, but {MANIFEST} says exported at {m['exported_at']}")
        if "range" in d.disclosed:
            rg = d.disclosed["range"]
            if not (
                isinstance(rg, dict)
                and set(rg) <= {"from", "to"}
                and all(isinstance(v, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", v) for v in rg.values())
            ):
                self.fail(f"{what}: its range is not {{from, to}} with YYYY-MM-DD dates")

        listed = d.disclosed.get("records")
        entries = []
        if not isinstance(listed, list):
            self.fail(f"{what}: its list of records is missing or malformed")
        else:
            for i, e in enumerate(listed):
                ok = (
                    isinstance(e, dict)
                    and {"id", "leaf"} <= set(e) <= {"id", "leaf", "withheld"}
                    and isinstance(e["id"], str)
                    and is_uint(e["leaf"])
                    and is_str_list(e.get("withheld", []))
                )
                if not ok:
                    self.fail(f"{what}: entry {i + 1} of its list of records is not {{id, leaf, withheld}}")
                    continue
                entries.append(e)
            leaves = [e["leaf"] for e in entries]
            if any(a >= b for a, b in zip(leaves, leaves[1:])):
                self.fail(f"{what}: its list of records is not in leaf order")
        in_bundle = {}
        for r in records:
            if r is not d:
                in_bundle.setdefault(r.id, r)
        for e in entries:
            if e["id"] == did:
                self.fail(f"{what}: it lists itself among the records")
                continue
            r = in_bundle.pop(e["id"], None)
            if r is None:
                self.fail(
                    f"record {e['id']} (leaf {e['leaf']}) is listed in the disclosure record but missing from the bundle: it was dropped"
                )
                continue
            if r.leaf_index != e["leaf"]:
                self.fail(f"record {e['id']}: at leaf {r.leaf_index} in the bundle, at leaf {e['leaf']} in the disclosure record")
            w = sorted(e.get("withheld", []))
            if w != r.withheld:
                self.fail(f"record {e['id']}: withholds {r.withheld}, but the disclosure record says {w}")
        for rid, r in in_bundle.items():
            self.fail(f"record {rid} (leaf {r.leaf_index}) is in the bundle but not in the disclosure record: it was inserted")

        ts = d.disclosed.get("timestamps", [])
        if not isinstance(ts, list) or not all(
            isinstance(t, dict) and set(t) == {"size", "sha256"} and is_uint(t["size"]) and isinstance(t["sha256"], str)
            for t in ts
        ):
            self.fail(f"{what}: its timestamps list is malformed")
            ts = []
        self.disclosed_tokens = {(t["size"], t["sha256"]) for t in ts}

        aw = d.disclosed.get("attachments_withheld", [])
        if not is_str_list(aw):
            self.fail(f"{what}: its attachments_withheld is not a list of record ids")
            aw = []
        attachment_ids = {r.id for r in records if r.type == "attachment"}
        for a in aw:
            if a not in attachment_ids:
                self.fail(f"{what}: it withholds the bytes of {a}, which is not an attachment record in the bundle")
        return set(aw)

    # -- attachments -----------------------------------------------------------------

    def check_attachments(self, zf, members, m, records, withheld_ids):
        ids = {r.id for r in records}
        entries = {}
        for e in m["attachments"]:
            if e["record"] in entries:
                self.fail(f"{MANIFEST} lists attachment {e['record']} twice")
            entries.setdefault(e["record"], e)
        atts = [r for r in records if r.type == "attachment"]
        self.report["attachments"] = len(atts)
        listed_order = [e["record"] for e in m["attachments"] if e["record"] in {a.id for a in atts}]
        if listed_order != [a.id for a in atts if a.id in entries]:
            self.fail(f"{MANIFEST}: its attachments are not in leaf order")
        wanted = {}  # sha -> (size, attachment what)
        withheld_count = 0
        for a in atts:
            what = f"attachment {a.id} (leaf {a.leaf_index})"
            target = a.env.get("target")
            if target is None:
                self.fail(f"{what} has no target")
            elif target not in ids:
                self.fail(f"{what} belongs to {target}, which is not in the bundle")
            sha, size = a.disclosed.get("sha256"), a.disclosed.get("size")
            e = entries.pop(a.id, None)
            if e is None:
                self.fail(f"{what} is not listed in {MANIFEST}")
                continue
            mismatched = [
                k
                for k, got in (
                    ("sha256", sha),
                    ("size", size),
                    ("media_type", a.disclosed.get("media_type")),
                    ("name", a.disclosed.get("name")),
                )
                if k in a.disclosed and e[k] != got
            ]
            if e["belongs_to"] != target:
                mismatched.append("belongs_to")
            if mismatched:
                self.fail(
                    f"{MANIFEST}: its entry for {what} does not match the signed record ({', '.join(mismatched)})"
                )
            withheld = a.id in withheld_ids
            if withheld:
                if "file" in e:
                    self.fail(f"{what}: the disclosure record withholds its bytes, but {MANIFEST} includes them ({e['file']})")
                else:
                    withheld_count += 1
                continue
            if "withheld" in e:
                self.fail(f"{MANIFEST}: its entry for {what} says the bytes are withheld ({e['withheld']}), but the disclosure record does not withhold them")
            if "file" not in e:
                self.fail(f"{what}: its bytes are missing, and the disclosure record does not withhold them")
                continue
            if not isinstance(sha, str) or not SHA256_HEX_RE.fullmatch(sha) or not is_uint(size):
                self.fail(f"{what}: its sha256 and size are not disclosed as a lower-case hex hash and a byte count, so its bytes cannot be checked")
                continue
            member = ATTACHMENTS + sha
            if e["file"] != member:
                self.fail(f"{what}: its file should be {member}, not {e['file']}")
            if member in wanted and wanted[member] != size:
                self.fail(f"{what}: another attachment record gives {member} a different size")
            wanted[member] = size
        for rid in entries:
            self.fail(f"{MANIFEST} lists attachment {rid}, which is not an attachment record in {RECORDS}")
        verified = 0
        for member, size in sorted(wanted.items()):
            info = members.get(member)
            if info is None:
                self.fail(f"{member} is missing from the bundle")
                continue
            got = self.hash_member(zf, info)
            if got is None:
                continue
            digest, n = got
            if digest == member[len(ATTACHMENTS) :] and n == size:
                verified += 1
            else:
                self.fail(
                    f"{member}: the bytes ({n} bytes, SHA-256 {digest}) do not match the attachment record "
                    f"({size} bytes, SHA-256 {member[len(ATTACHMENTS):]}): the file was altered"
                )
        self.report["attachment_files_verified"] = verified
        self.report["attachments_withheld"] = withheld_count
        return set(wanted)

    # -- timestamps ---------------------------------------------------------------------

    def check_timestamps(self, zf, members, m, p, head, key):
        mt, pt = m["timestamps"], p["timestamps"]
        if len(mt) != len(pt):
            self.fail(f"{MANIFEST} lists {len(mt)} timestamp tokens but {PROOFS} has {len(pt)} timestamp proofs")
            return
        for t, proof in zip(mt, pt):
            f = t["file"]
            if not TOKEN_NAME_RE.fullmatch(f) or not f.startswith(
                f"{TIMESTAMPS}{t['checkpoint_size']}-"
            ):
                self.fail(f"{MANIFEST}: timestamp token {f!r} is not named timestamps/{t['checkpoint_size']}-<n>.tsr")
            try:
                covered = self.verify_extension(proof, head, key)
            except NoteError as e:
                self.fail(f"{f}: {e}")
                continue
            if covered.size != t["checkpoint_size"]:
                self.fail(f"{f}: {MANIFEST} says it covers checkpoint {t['checkpoint_size']}, the proof's checkpoint is {covered.size}")
                continue
            token = self.read(zf, members, f, MAX_TOKEN)
            if token is None:
                continue
            try:
                info = verify_token(token, sha256(proof["checkpoint"].encode("utf-8")))
            except (TokenError, DerError, ValueError, IndexError) as e:
                self.fail(f"{f}: the RFC 3161 token does not verify: {e}")
                continue
            info = {"file": f, "checkpoint_size": covered.size, "authority": t["authority"], **info}
            self.report["timestamps"].append(info)


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


def summary(r: dict) -> list[str]:
    out = []
    if r["ok"]:
        clinical = ""
        k = r["clinical_withheld_records"]
        if k:
            clinical = f", clinical notes withheld in {plural(k, 'record')}"
        out.append(
            f"Bundle intact: {r['records']} records, {r['attachments']} attachments "
            f"({r['attachment_files_verified']} files checked, {r['attachments_withheld']} withheld){clinical}."
        )
    else:
        out.append(f"Bundle FAILED verification: {len(r['errors'])} problem(s):")
        out.extend(f"  - {e}" for e in r["errors"])
    if r["case"] and r["profile"]:
        out.append(f"Case {r['case']}, profile {r['profile']}.")
    if r["exported_by"] and r["exported_at"]:
        to = f" for {r['recipient']}" if r["recipient"] else ""
        out.append(f"Exported by {r['exported_by']} at {r['exported_at']}{to}.")
    if r["checkpoint_origin"] is not None:
        out.append(f"Signed checkpoint: {r['checkpoint_origin']}, {r['checkpoint_size']} records, root {r['checkpoint_root']}")
    if r["key_fingerprint"]:
        out.append(f"Key fingerprint: {r['key_fingerprint']}")
        out.append("  Compare it with the fingerprint the practice gives you by another route.")
    for t in r["timestamps"]:
        out.append(
            f"RFC 3161 timestamp: checkpoint {t['checkpoint_size']} existed by {t['time']} "
            f"(signed by {t['signer']}, certificate SHA-256 {t['signer_certificate_sha256']})"
        )
    return out


USAGE = "usage: verify_bundle.py BUNDLE.zip [--json] [--pure-python]"


def main(argv: list[str]) -> int:
    as_json = False
    pure = os.environ.get("PALISADE_VERIFY_PURE_PYTHON", "") not in ("", "0")
    files = []
    for a in argv:
        if a == "--json":
            as_json = True
        elif a == "--pure-python":
            pure = True
        elif a in ("-h", "--help"):
            print(__doc__.strip())
            print()
            print(USAGE)
            return 0
        elif a.startswith("-") and a != "-":
            print(f"error: unknown option {a}\n{USAGE}", file=sys.stderr)
            return 1
        else:
            files.append(a)
    if len(files) != 1:
        print(f"error: give exactly one bundle\n{USAGE}", file=sys.stderr)
        return 1
    _load_crypto(pure)
    v = Verifier(files[0])
    try:
        report = v.run()
    except Unreadable as e:
        if as_json:
            print(json.dumps({"ok": False, "unreadable": True, "errors": [str(e)]}, indent=2))
        print(f"error: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # noqa: BLE001 - a verifier bug must never look like "intact"
        if as_json:
            print(json.dumps({"ok": False, "errors": [f"internal error: {e!r}"]}, indent=2))
        print(f"error: internal error while checking {files[0]}: {e!r} (please report it)", file=sys.stderr)
        return 1
    report["crypto_backend"] = backend_name()
    try:
        if as_json:
            print(json.dumps(report, indent=2, ensure_ascii=False))
        else:
            print("\n".join(summary(report)))
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): the exit status still tells.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0 if report["ok"] else 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
