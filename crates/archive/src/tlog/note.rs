//! C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys.
//!
//! Format (from the specification): the note text, ending in a newline; a blank line;
//! then one or more signature lines `— <key name> <base64(key ID (4 bytes, big endian) ||
//! signature)>` each ending in a newline. The text is separated from the signatures by the
//! *last* blank line. Notes are UTF-8 without ASCII control characters other than newline.
//!
//! Ed25519 keys (signature type `0x01`) sign the note text (with its final newline) per
//! RFC 8032; key ID = `SHA-256(name || 0x0A || 0x01 || public key)[:4]`.
//!
//! Key encodings are the ones used across the Go ecosystem (golang.org/x/mod/sumdb/note):
//! verifier key `<name>+<hex key ID>+<base64(0x01 || public key)>` and signer key
//! `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || seed)>`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use super::TlogError;

/// Signature type identifier for Ed25519 (C2SP signed-note).
const ALG_ED25519: u8 = 0x01;
/// The separator that starts every signature line: em dash (U+2014) and a space.
const SIG_PREFIX: &str = "\u{2014} ";
/// Upper bound on signature lines accepted by [`open_note`] (the spec requires at least 16).
const MAX_SIGNATURES: usize = 100;
/// Upper bound on the size of a note accepted by [`open_note`].
const MAX_NOTE_BYTES: usize = 1 << 20;
/// Prefix of a serialized signer key.
const SKEY_PREFIX: &str = "PRIVATE+KEY+";

/// A key name must be non-empty and hold no Unicode space, no `+` and no control character.
fn check_key_name(name: &str) -> Result<(), TlogError> {
    if name.is_empty()
        || name
            .chars()
            .any(|c| c == '+' || c.is_whitespace() || c.is_control())
    {
        return Err(TlogError::InvalidKeyName);
    }
    Ok(())
}

/// `SHA-256(name || 0x0A || 0x01 || public key)[:4]` as a big-endian u32.
fn key_id(name: &str, public: &[u8; 32]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', ALG_ED25519]);
    h.update(public);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// An Ed25519 note signer: key name, key ID and signing key.
///
/// `Debug` never shows the secret key.
#[derive(Clone)]
pub struct NoteSigner {
    name: String,
    id: u32,
    key: SigningKey,
}

impl std::fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NoteSigner")
            .field("name", &self.name)
            .field("key_id", &format_args!("{:08x}", self.id))
            .finish_non_exhaustive()
    }
}

impl NoteSigner {
    /// A fresh random key named `name` (seed from the operating system's CSPRNG).
    pub fn generate(name: &str) -> Result<Self, TlogError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|_| TlogError::Randomness)?;
        let signer = Self::from_secret_bytes(name, &seed);
        seed.fill(0);
        signer
    }

    /// A signer from a 32-byte Ed25519 seed (RFC 8032 secret key).
    pub fn from_secret_bytes(name: &str, secret: &[u8; 32]) -> Result<Self, TlogError> {
        check_key_name(name)?;
        let key = SigningKey::from_bytes(secret);
        let id = key_id(name, &key.verifying_key().to_bytes());
        Ok(Self {
            name: name.to_owned(),
            id,
            key,
        })
    }

    /// The 32-byte Ed25519 seed. Keep it secret.
    #[must_use]
    pub fn secret_bytes(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// The key name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID (first four bytes of the key hash, big endian).
    #[must_use]
    pub fn key_id(&self) -> u32 {
        self.id
    }

    /// The matching verifier.
    #[must_use]
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier {
            name: self.name.clone(),
            id: self.id,
            key: self.key.verifying_key(),
        }
    }

    /// Parse the Go-style signer key `PRIVATE+KEY+<name>+<hex id>+<base64(0x01 || seed)>`.
    pub fn parse_skey(skey: &str) -> Result<Self, TlogError> {
        let rest = skey
            .strip_prefix(SKEY_PREFIX)
            .ok_or(TlogError::MalformedVerifierKey(
                "missing PRIVATE+KEY+ prefix",
            ))?;
        let (name, id, bytes) = split_key(rest)?;
        let seed: [u8; 32] = bytes
            .try_into()
            .map_err(|_| TlogError::MalformedVerifierKey("Ed25519 seed must be 32 bytes"))?;
        let signer = Self::from_secret_bytes(name, &seed)?;
        if signer.id != id {
            return Err(TlogError::MalformedVerifierKey("key ID does not match key"));
        }
        Ok(signer)
    }

    /// The Go-style signer key text. Keep it secret.
    #[must_use]
    pub fn to_skey(&self) -> String {
        let mut raw = Vec::with_capacity(33);
        raw.push(ALG_ED25519);
        raw.extend_from_slice(&self.key.to_bytes());
        let s = format!(
            "{SKEY_PREFIX}{}+{:08x}+{}",
            self.name,
            self.id,
            B64.encode(&raw)
        );
        raw.fill(0);
        s
    }

    /// The signature line (without the newline) for `text`.
    fn signature_line(&self, text: &str) -> String {
        let sig = self.key.sign(text.as_bytes());
        let mut raw = Vec::with_capacity(4 + 64);
        raw.extend_from_slice(&self.id.to_be_bytes());
        raw.extend_from_slice(&sig.to_bytes());
        format!("{SIG_PREFIX}{} {}", self.name, B64.encode(raw))
    }
}

/// An Ed25519 note verifier: key name, key ID and public key.
#[derive(Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    id: u32,
    key: VerifyingKey,
}

impl std::fmt::Debug for NoteVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_vkey())
    }
}

/// Split `<name>+<8 hex>+<base64(0x01 || 32 bytes)>` into name, id and the 32 bytes.
fn split_key(s: &str) -> Result<(&str, u32, Vec<u8>), TlogError> {
    let mut parts = s.splitn(3, '+');
    let (Some(name), Some(hex_id), Some(b64)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(TlogError::MalformedVerifierKey(
            "expected <name>+<key id>+<key>",
        ));
    };
    check_key_name(name).map_err(|_| TlogError::MalformedVerifierKey("invalid key name"))?;
    if hex_id.len() != 8 || !hex_id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(TlogError::MalformedVerifierKey(
            "key ID must be 8 hex digits",
        ));
    }
    let id = u32::from_str_radix(hex_id, 16)
        .map_err(|_| TlogError::MalformedVerifierKey("key ID must be 8 hex digits"))?;
    let raw = B64
        .decode(b64)
        .map_err(|_| TlogError::MalformedVerifierKey("key is not valid base64"))?;
    let Some((&alg, bytes)) = raw.split_first() else {
        return Err(TlogError::MalformedVerifierKey("empty key"));
    };
    if alg != ALG_ED25519 {
        return Err(TlogError::UnsupportedKeyType(alg));
    }
    Ok((name, id, bytes.to_vec()))
}

impl NoteVerifier {
    /// Parse a verifier key `<name>+<hex key ID>+<base64(0x01 || public key)>`.
    ///
    /// Rejects other signature types, a key ID that does not match the name and key, and
    /// invalid or small-order (weak) public keys.
    pub fn parse(vkey: &str) -> Result<Self, TlogError> {
        let (name, id, bytes) = split_key(vkey)?;
        let public: [u8; 32] = bytes
            .try_into()
            .map_err(|_| TlogError::MalformedVerifierKey("Ed25519 key must be 32 bytes"))?;
        let key = VerifyingKey::from_bytes(&public)
            .map_err(|_| TlogError::MalformedVerifierKey("not an Ed25519 public key"))?;
        if key.is_weak() {
            return Err(TlogError::MalformedVerifierKey("weak Ed25519 public key"));
        }
        if key_id(name, &public) != id {
            return Err(TlogError::MalformedVerifierKey("key ID does not match key"));
        }
        Ok(Self {
            name: name.to_owned(),
            id,
            key,
        })
    }

    /// The verifier key text `<name>+<hex key ID>+<base64(0x01 || public key)>`.
    #[must_use]
    pub fn to_vkey(&self) -> String {
        let mut raw = Vec::with_capacity(33);
        raw.push(ALG_ED25519);
        raw.extend_from_slice(self.key.as_bytes());
        format!("{}+{:08x}+{}", self.name, self.id, B64.encode(raw))
    }

    /// The key name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID (first four bytes of the key hash, big endian).
    #[must_use]
    pub fn key_id(&self) -> u32 {
        self.id
    }

    /// The raw 32-byte Ed25519 public key.
    #[must_use]
    pub fn public_key(&self) -> [u8; 32] {
        self.key.to_bytes()
    }
}

/// Note text rules shared by signing and opening: UTF-8 (a `&str` already is), ends in a
/// newline, no ASCII control characters other than newline.
fn check_text(text: &str) -> Result<(), TlogError> {
    if !text.ends_with('\n') {
        return Err(TlogError::MalformedNote("text must end with a newline"));
    }
    if text.chars().any(|c| c != '\n' && c.is_ascii_control()) {
        return Err(TlogError::MalformedNote(
            "control characters other than newline are not allowed",
        ));
    }
    Ok(())
}

/// A parsed signature line.
struct SigLine<'a> {
    name: &'a str,
    id: u32,
    sig: Vec<u8>,
}

/// Split a note into its text (with final newline) and parsed signature lines.
fn split_note(note: &str) -> Result<(&str, Vec<SigLine<'_>>), TlogError> {
    if note.len() > MAX_NOTE_BYTES {
        return Err(TlogError::MalformedNote("note too large"));
    }
    if note.chars().any(|c| c != '\n' && c.is_ascii_control()) {
        return Err(TlogError::MalformedNote(
            "control characters other than newline are not allowed",
        ));
    }
    let sep = note
        .rfind("\n\n")
        .ok_or(TlogError::MalformedNote("no blank line before signatures"))?;
    let (text, rest) = note.split_at(sep + 1);
    let sigs = rest
        .strip_prefix('\n')
        .ok_or(TlogError::MalformedNote("no blank line before signatures"))?;
    let body = sigs
        .strip_suffix('\n')
        .ok_or(TlogError::MalformedNote("note must end with a newline"))?;
    if body.is_empty() {
        return Err(TlogError::MalformedNote("no signature lines"));
    }
    let mut out = Vec::new();
    for line in body.split('\n') {
        if out.len() >= MAX_SIGNATURES {
            return Err(TlogError::MalformedNote("too many signatures"));
        }
        let rest = line
            .strip_prefix(SIG_PREFIX)
            .ok_or(TlogError::MalformedNote(
                "signature line must start with \"— \"",
            ))?;
        let (name, b64) = rest.split_once(' ').ok_or(TlogError::MalformedNote(
            "signature line needs a name and a signature",
        ))?;
        check_key_name(name).map_err(|_| TlogError::MalformedNote("invalid key name"))?;
        let raw = B64
            .decode(b64)
            .map_err(|_| TlogError::MalformedNote("signature is not valid base64"))?;
        if raw.len() < 5 {
            return Err(TlogError::MalformedNote("signature too short"));
        }
        let (id, sig) = raw.split_at(4);
        let id = u32::from_be_bytes([id[0], id[1], id[2], id[3]]);
        out.push(SigLine {
            name,
            id,
            sig: sig.to_vec(),
        });
    }
    Ok((text, out))
}

/// Sign `text` (which must end in a newline) and return the signed note.
pub fn sign_note(text: &str, signer: &NoteSigner) -> Result<String, TlogError> {
    check_text(text)?;
    let line = signer.signature_line(text);
    let mut note = String::with_capacity(text.len() + line.len() + 2);
    note.push_str(text);
    note.push('\n');
    note.push_str(&line);
    note.push('\n');
    Ok(note)
}

/// Add `signer`'s signature to an already signed note (e.g. a witness cosignature or a
/// second key during rotation). Existing signatures are kept as they are, unchecked.
pub fn add_signature(note: &str, signer: &NoteSigner) -> Result<String, TlogError> {
    let (text, sigs) = split_note(note)?;
    check_text(text)?;
    if sigs.len() >= MAX_SIGNATURES {
        return Err(TlogError::MalformedNote("too many signatures"));
    }
    let mut out = String::with_capacity(note.len() + 100);
    out.push_str(note);
    out.push_str(&signer.signature_line(text));
    out.push('\n');
    Ok(out)
}

/// Verify `note` against `verifier` and return its text (with the final newline).
///
/// Per the specification, signatures from other keys (a different name or key ID) are
/// ignored; every signature whose name and key ID match the verifier must verify, and at
/// least one must be present.
pub fn open_note(note: &str, verifier: &NoteVerifier) -> Result<String, TlogError> {
    let (text, sigs) = split_note(note)?;
    check_text(text)?;
    let mut verified = false;
    for s in sigs
        .iter()
        .filter(|s| s.name == verifier.name && s.id == verifier.id)
    {
        let sig = Signature::from_slice(&s.sig)
            .map_err(|_| TlogError::BadSignature(verifier.name.clone()))?;
        verifier
            .key
            .verify_strict(text.as_bytes(), &sig)
            .map_err(|_| TlogError::BadSignature(verifier.name.clone()))?;
        verified = true;
    }
    if verified {
        Ok(text.to_owned())
    } else {
        Err(TlogError::NoSignature(verifier.name.clone()))
    }
}
