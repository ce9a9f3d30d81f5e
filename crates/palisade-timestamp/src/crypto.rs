//! Hashes and signature verification: RSA (PKCS#1 v1.5 and PSS), ECDSA on
//! P-256 and P-384, and Ed25519. All verification is pure Rust (RustCrypto).

use der::Encode;
use der::asn1::ObjectIdentifier;
use sha1_0_10::Sha1;
use sha2_0_10::{Digest, Sha256, Sha384, Sha512};
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use crate::TimestampError;
use crate::oids;

/// Shortest RSA modulus accepted, in bits.
const RSA_MIN_BITS: usize = 2048;
/// Longest RSA modulus accepted, in bits.
const RSA_MAX_BITS: usize = 8192;

/// A hash algorithm named by an `AlgorithmIdentifier`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HashAlg {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl HashAlg {
    /// The algorithm named by `id`, whose parameters must be absent or NULL.
    pub(crate) fn from_identifier(id: &AlgorithmIdentifierOwned) -> Result<Self, TimestampError> {
        let alg = Self::from_oid(&id.oid)?;
        if params_absent_or_null(id.parameters.as_ref()) {
            Ok(alg)
        } else {
            Err(TimestampError::UnsupportedDigest(format!(
                "{} with parameters",
                oids::name(&id.oid)
            )))
        }
    }

    fn from_oid(oid: &ObjectIdentifier) -> Result<Self, TimestampError> {
        match *oid {
            oids::SHA1 => Ok(Self::Sha1),
            oids::SHA256 => Ok(Self::Sha256),
            oids::SHA384 => Ok(Self::Sha384),
            oids::SHA512 => Ok(Self::Sha512),
            _ => Err(TimestampError::UnsupportedDigest(oids::name(oid))),
        }
    }

    /// Refuses SHA-1, which is broken for signatures and message digests.
    pub(crate) fn strong(self) -> Result<Self, TimestampError> {
        if self == Self::Sha1 {
            Err(TimestampError::UnsupportedDigest(
                "SHA-1 (too weak for signatures)".into(),
            ))
        } else {
            Ok(self)
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA-1",
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
        }
    }

    pub(crate) fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => Sha1::digest(data).to_vec(),
            Self::Sha256 => Sha256::digest(data).to_vec(),
            Self::Sha384 => Sha384::digest(data).to_vec(),
            Self::Sha512 => Sha512::digest(data).to_vec(),
        }
    }
}

/// Whether algorithm parameters are absent or NULL, as hash algorithms want.
pub(crate) fn params_absent_or_null(params: Option<&der::Any>) -> bool {
    use der::Tagged;
    params.is_none_or(|any| any.tag() == der::Tag::Null && any.value().is_empty())
}

/// SHA-256 of `data` as an array.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// Verifies `signature` over `message` with the key in `spki`.
///
/// `sig_alg` is the SignerInfo's signatureAlgorithm; `digest_alg` its
/// digestAlgorithm, used when the signature algorithm names no hash of its
/// own (`rsaEncryption`, `id-ecPublicKey`), as CMS allows.
pub(crate) fn verify_signature(
    spki: &SubjectPublicKeyInfoOwned,
    sig_alg: &AlgorithmIdentifierOwned,
    digest_alg: HashAlg,
    message: &[u8],
    signature: &[u8],
) -> Result<(), TimestampError> {
    let key_bytes = spki.subject_public_key.as_bytes().ok_or_else(|| {
        TimestampError::UnsupportedKey("public key bit string has unused bits".into())
    })?;
    let mismatch = |key: &str| TimestampError::KeyAlgorithmMismatch {
        algorithm: oids::name(&sig_alg.oid),
        key: key.to_string(),
    };
    match spki.algorithm.oid {
        oids::RSA_ENCRYPTION => {
            let hash = match sig_alg.oid {
                oids::RSA_ENCRYPTION => RsaScheme::Pkcs1v15(digest_alg),
                oids::SHA256_WITH_RSA => RsaScheme::Pkcs1v15(HashAlg::Sha256),
                oids::SHA384_WITH_RSA => RsaScheme::Pkcs1v15(HashAlg::Sha384),
                oids::SHA512_WITH_RSA => RsaScheme::Pkcs1v15(HashAlg::Sha512),
                oids::RSASSA_PSS => pss_params(sig_alg)?,
                _ => return Err(mismatch("RSA")),
            };
            verify_rsa(key_bytes, hash, message, signature)
        }
        oids::EC_PUBLIC_KEY => {
            let hash = match sig_alg.oid {
                oids::EC_PUBLIC_KEY => digest_alg,
                oids::ECDSA_SHA256 => HashAlg::Sha256,
                oids::ECDSA_SHA384 => HashAlg::Sha384,
                oids::ECDSA_SHA512 => HashAlg::Sha512,
                _ => return Err(mismatch("EC")),
            }
            .strong()?;
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                .ok_or_else(|| {
                    TimestampError::UnsupportedKey("EC key without a named curve".into())
                })?;
            verify_ecdsa(&curve, key_bytes, &hash.digest(message), signature)
        }
        oids::ED25519 => {
            if sig_alg.oid != oids::ED25519 {
                return Err(mismatch("Ed25519"));
            }
            verify_ed25519(key_bytes, message, signature)
        }
        other => Err(TimestampError::UnsupportedKey(format!(
            "key type {}",
            oids::name(&other)
        ))),
    }
}

#[derive(Clone, Copy, Debug)]
enum RsaScheme {
    Pkcs1v15(HashAlg),
    Pss { hash: HashAlg, salt_len: usize },
}

/// Reads RSASSA-PSS-params: hash, MGF1 with the same hash, trailer field 1.
fn pss_params(sig_alg: &AlgorithmIdentifierOwned) -> Result<RsaScheme, TimestampError> {
    let unsupported =
        |why: &str| TimestampError::UnsupportedSignatureAlgorithm(format!("RSASSA-PSS {why}"));
    let params_der = sig_alg
        .parameters
        .as_ref()
        .ok_or_else(|| unsupported("without parameters"))?
        .to_der()
        .map_err(TimestampError::malformed("RSASSA-PSS parameters"))?;
    let params = <rsa::pkcs1::RsaPssParams as der::Decode>::from_der(&params_der)
        .map_err(TimestampError::malformed("RSASSA-PSS parameters"))?;
    let hash = HashAlg::from_oid(&params.hash.oid)?.strong()?;
    let mgf_hash = params
        .mask_gen
        .parameters
        .map(|p| HashAlg::from_oid(&p.oid))
        .transpose()?;
    if params.mask_gen.oid != oids::MGF1 || mgf_hash != Some(hash) {
        return Err(unsupported(
            "with a mask generation other than MGF1 over the same hash",
        ));
    }
    if params.trailer_field != rsa::pkcs1::TrailerField::BC {
        return Err(unsupported("with a trailer field other than 1"));
    }
    Ok(RsaScheme::Pss {
        hash,
        salt_len: usize::from(params.salt_len),
    })
}

fn verify_rsa(
    key_der: &[u8],
    scheme: RsaScheme,
    message: &[u8],
    signature: &[u8],
) -> Result<(), TimestampError> {
    use rsa::{BigUint, Pkcs1v15Sign, Pss, RsaPublicKey, traits::PublicKeyParts};

    let parsed = <rsa::pkcs1::RsaPublicKey as der::Decode>::from_der(key_der)
        .map_err(|e| TimestampError::UnsupportedKey(format!("bad RSA public key: {e}")))?;
    let n = BigUint::from_bytes_be(parsed.modulus.as_bytes());
    let e = BigUint::from_bytes_be(parsed.public_exponent.as_bytes());
    let bits = n.bits();
    if !(RSA_MIN_BITS..=RSA_MAX_BITS).contains(&bits) {
        return Err(TimestampError::UnsupportedKey(format!(
            "RSA modulus of {bits} bits (accepted: {RSA_MIN_BITS} to {RSA_MAX_BITS})"
        )));
    }
    let key = RsaPublicKey::new_with_max_size(n, e, RSA_MAX_BITS)
        .map_err(|e| TimestampError::UnsupportedKey(format!("bad RSA public key: {e}")))?;
    if signature.len() != key.size() {
        return Err(TimestampError::BadSignature);
    }
    let result = match scheme {
        RsaScheme::Pkcs1v15(hash) => {
            let hashed = hash.strong()?.digest(message);
            let padding = match hash {
                HashAlg::Sha256 => Pkcs1v15Sign::new::<Sha256>(),
                HashAlg::Sha384 => Pkcs1v15Sign::new::<Sha384>(),
                HashAlg::Sha512 => Pkcs1v15Sign::new::<Sha512>(),
                HashAlg::Sha1 => Pkcs1v15Sign::new::<Sha1>(),
            };
            key.verify(padding, &hashed, signature)
        }
        RsaScheme::Pss { hash, salt_len } => {
            let hashed = hash.digest(message);
            let padding = match hash {
                HashAlg::Sha256 => Pss::new_with_salt::<Sha256>(salt_len),
                HashAlg::Sha384 => Pss::new_with_salt::<Sha384>(salt_len),
                HashAlg::Sha512 => Pss::new_with_salt::<Sha512>(salt_len),
                HashAlg::Sha1 => Pss::new_with_salt::<Sha1>(salt_len),
            };
            key.verify(padding, &hashed, signature)
        }
    };
    result.map_err(|_| TimestampError::BadSignature)
}

fn verify_ecdsa(
    curve: &ObjectIdentifier,
    point: &[u8],
    prehash: &[u8],
    signature: &[u8],
) -> Result<(), TimestampError> {
    use p256::ecdsa::signature::hazmat::PrehashVerifier;

    fn bad_key(e: impl std::fmt::Display) -> TimestampError {
        TimestampError::UnsupportedKey(format!("bad EC public key: {e}"))
    }
    let result = match *curve {
        oids::CURVE_P256 => {
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(bad_key)?;
            let sig = p256::ecdsa::Signature::from_der(signature)
                .map_err(|_| TimestampError::BadSignature)?;
            key.verify_prehash(prehash, &sig)
        }
        oids::CURVE_P384 => {
            let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(bad_key)?;
            let sig = p384::ecdsa::Signature::from_der(signature)
                .map_err(|_| TimestampError::BadSignature)?;
            key.verify_prehash(prehash, &sig)
        }
        other => {
            return Err(TimestampError::UnsupportedKey(format!(
                "EC curve {other} (supported: P-256, P-384)"
            )));
        }
    };
    result.map_err(|_| TimestampError::BadSignature)
}

fn verify_ed25519(key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), TimestampError> {
    let key: &[u8; 32] = key
        .try_into()
        .map_err(|_| TimestampError::UnsupportedKey("Ed25519 key is not 32 bytes".into()))?;
    let key = ed25519_dalek::VerifyingKey::from_bytes(key)
        .map_err(|e| TimestampError::UnsupportedKey(format!("bad Ed25519 public key: {e}")))?;
    let sig = ed25519_dalek::Signature::from_slice(signature)
        .map_err(|_| TimestampError::BadSignature)?;
    key.verify_strict(message, &sig)
        .map_err(|_| TimestampError::BadSignature)
}
