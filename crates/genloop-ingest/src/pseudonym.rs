//! Pseudonyms for authors and, with `--anonymize`, for post ids.
//!
//! With a key (`--pseudonym-key FILE` or `GENLOOP_PSEUDONYM_KEY`), a pseudonym is
//! HMAC-SHA256 (RFC 2104) of the id under the key: the same author gets the same
//! pseudonym in every archive ingested with the key, and nobody without the key can
//! recompute it from the public actor URL. Without a key it is the plain SHA-256 of
//! the id, which anyone who guesses the id (a public URL) can recompute: the
//! ingestion says so on stderr and in its statistics.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Fewest bytes of a key: 128 bits, as RFC 2104 §3 advises for HMAC-SHA256 at least
/// half the output length.
pub const MIN_KEY_BYTES: usize = 16;

/// The environment variable that may hold the key (its bytes, as text).
pub const KEY_VARIABLE: &str = "GENLOOP_PSEUDONYM_KEY";

/// A secret key for pseudonyms. Its bytes never appear in `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct PseudonymKey(Vec<u8>);

impl fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PseudonymKey({} bytes)", self.0.len())
    }
}

/// A key that is too short to keep pseudonyms secret.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the pseudonym key has {0} bytes; use at least {MIN_KEY_BYTES} random bytes (e.g. `head -c 32 /dev/urandom | base64 > key`)")]
pub struct ShortKey(pub usize);

impl PseudonymKey {
    /// The key of `bytes`, without the line ending a key file usually has.
    pub fn new(bytes: &[u8]) -> Result<PseudonymKey, ShortKey> {
        let end = bytes
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .map_or(0, |i| i + 1);
        if end < MIN_KEY_BYTES {
            return Err(ShortKey(end));
        }
        Ok(PseudonymKey(bytes[..end].to_vec()))
    }
}

/// How the pseudonyms of an output were made (in the statistics).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PseudonymKind {
    /// SHA-256 of the id: anyone who guesses the id recomputes it.
    #[default]
    Unkeyed,
    /// HMAC-SHA256 of the id under a secret key.
    Keyed,
}

/// The warning an unkeyed ingestion prints first.
pub const UNKEYED_WARNING: &str = "warning: no pseudonym key (--pseudonym-key FILE or GENLOOP_PSEUDONYM_KEY): author pseudonyms are unsalted SHA-256 of the public actor URL, which anyone can recompute to find the author";

/// Makes the pseudonyms of one ingestion.
#[derive(Clone, Debug, Default)]
pub struct Pseudonyms {
    key: Option<PseudonymKey>,
}

impl Pseudonyms {
    pub fn new(key: Option<PseudonymKey>) -> Pseudonyms {
        Pseudonyms { key }
    }

    pub fn kind(&self) -> PseudonymKind {
        match self.key {
            Some(_) => PseudonymKind::Keyed,
            None => PseudonymKind::Unkeyed,
        }
    }

    /// An author's (or a foreign post's) pseudonym: 16 hex digits (64 bits).
    pub fn author(&self, id: &str) -> String {
        hex(&self.digest(id)[..8])
    }

    /// A post id with `--anonymize`: 32 hex digits (128 bits), so ids of distinct
    /// posts do not collide in any corpus.
    pub fn post_id(&self, id: &str) -> String {
        hex(&self.digest(id)[..16])
    }

    fn digest(&self, id: &str) -> [u8; 32] {
        match &self.key {
            Some(key) => hmac_sha256(&key.0, id.as_bytes()),
            None => Sha256::digest(id.as_bytes()).into(),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// HMAC-SHA256 (RFC 2104): H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ message)), the key hashed
/// first when longer than SHA-256's 64-byte block.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.map(|k| k ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_the_rfc_4231_test_vectors() {
        // Test case 2: a short key; test case 6: a key longer than a block.
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex(&hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn keyed_pseudonyms_differ_from_the_unkeyed_hash_and_between_keys() {
        let actor = "https://example.social/users/wren";
        let unkeyed = Pseudonyms::new(None);
        let one = Pseudonyms::new(Some(PseudonymKey::new(b"a secret of 16 bytes\n").unwrap()));
        let two = Pseudonyms::new(Some(PseudonymKey::new(b"another secret key").unwrap()));
        assert_eq!(unkeyed.author(actor), crate::pseudonym(actor));
        assert_ne!(one.author(actor), unkeyed.author(actor));
        assert_ne!(one.author(actor), two.author(actor));
        assert_eq!(one.author(actor).len(), 16);
        assert_eq!(one.post_id(actor).len(), 32);
        assert_eq!(one.kind(), PseudonymKind::Keyed);
    }

    #[test]
    fn short_keys_are_refused_and_keys_never_print() {
        assert_eq!(PseudonymKey::new(b"short\n"), Err(ShortKey(5)));
        let key = PseudonymKey::new(b"0123456789abcdef").unwrap();
        assert_eq!(format!("{key:?}"), "PseudonymKey(16 bytes)");
    }
}
