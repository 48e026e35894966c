//! Sealing: XChaCha20-Poly1305 with a random 24-byte nonce per sealed item.
//!
//! A sealed record is `0x01 ‖ nonce(24) ‖ ciphertext+tag`. Associated data is built with
//! [`aad`] from length-prefixed fields (record kind, record id, key scope, key version), so
//! a sealed value moved to another record, kind or key fails to open.
//!
//! Blobs are sealed in 64 KiB chunks (the chunk size age uses for its payload, C2SP
//! `age.md` §Payload): `magic ‖ (u32 length ‖ nonce ‖ ciphertext)*`, each chunk's
//! associated data holding the blob's context, the chunk index and a last-chunk flag, so
//! chunks cannot be reordered, dropped or the blob truncated without detection.

use crate::error::ArchiveError;
use crate::keys::fill_random;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, Nonce, UnboundKey};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use zeroize::Zeroize;

const VERSION: u8 = 1;
pub const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
/// Plaintext bytes per blob chunk.
pub const CHUNK: usize = 64 * 1024;
/// The first bytes of every sealed blob file.
pub const BLOB_MAGIC: &[u8; 8] = b"CWBLOB1\n";

/// A sealed value did not open (wrong key, wrong context, or altered bytes).
#[derive(Debug, thiserror::Error)]
#[error("sealed data does not open: {0}")]
pub struct OpenError(pub &'static str);

/// Associated data from length-prefixed fields.
pub fn aad(fields: &[&[u8]]) -> Vec<u8> {
    let size = fields.iter().map(|f| 8 + f.len()).sum();
    let mut out = Vec::with_capacity(size);
    for f in fields {
        out.extend_from_slice(&(f.len() as u64).to_le_bytes());
        out.extend_from_slice(f);
    }
    out
}

/// XChaCha20-Poly1305 as draft-irtf-cfrg-xchacha-03 §2.3 builds it: HChaCha20 turns the key
/// and the nonce's first 16 bytes into a subkey, and ChaCha20-Poly1305 (RFC 8439) runs under
/// that subkey with the nonce `0⁴ ‖ nonce[16..24]`. The bytes are exactly those of any
/// XChaCha20-Poly1305 implementation (a test checks them against RustCrypto's); the AEAD
/// itself is `ring`'s, whose assembly is several times faster on short records.
fn cipher(key: &[u8; 32], nonce: &[u8; NONCE_LEN]) -> Result<(LessSafeKey, Nonce), OpenError> {
    let mut head = [0u8; 16];
    let mut tail = [0u8; 12];
    if let (Some(h), Some(t), Some(dst)) = (nonce.get(..16), nonce.get(16..), tail.get_mut(4..)) {
        head.copy_from_slice(h);
        dst.copy_from_slice(t);
    }
    let derived = chacha20::hchacha::<chacha20::R20>(&(*key).into(), &head.into());
    let mut subkey = [0u8; 32];
    subkey.copy_from_slice(derived.as_slice());
    let unbound = UnboundKey::new(&CHACHA20_POLY1305, &subkey);
    subkey.zeroize();
    let key = unbound.map_err(|_| OpenError("bad key"))?;
    Ok((LessSafeKey::new(key), Nonce::assume_unique_for_key(tail)))
}

/// Encrypts `buf[from..]` in place and appends the tag.
fn encrypt_tail(
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    buf: &mut Vec<u8>,
    from: usize,
) -> Result<(), ArchiveError> {
    let failed = || ArchiveError::Invalid("encryption failed".into());
    let (k, n) = cipher(key, nonce).map_err(|_| failed())?;
    let body = buf.get_mut(from..).ok_or_else(failed)?;
    let tag = k
        .seal_in_place_separate_tag(n, Aad::from(aad), body)
        .map_err(|_| failed())?;
    buf.extend_from_slice(tag.as_ref());
    Ok(())
}

/// Decrypts `ct` (ciphertext ‖ tag).
fn decrypt(
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    ct: &[u8],
) -> Result<Vec<u8>, OpenError> {
    let (k, n) = cipher(key, nonce)?;
    let mut buf = ct.to_vec();
    let plain_len = k
        .open_in_place(n, Aad::from(aad), &mut buf)
        .map_err(|_| OpenError("authentication failed"))?
        .len();
    buf.truncate(plain_len);
    Ok(buf)
}

/// Seals `plaintext` under `key` with a fresh random nonce.
pub fn seal(key: &[u8; 32], aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, ArchiveError> {
    let mut nonce = [0u8; NONCE_LEN];
    fill_random(&mut nonce)?;
    seal_with_nonce(key, &nonce, aad, plaintext)
}

/// Seals `plaintext` under `key` with `nonce`, which must be fresh and random (from
/// [`fill_random`] or a [`NoncePool`]); the output format is the same as [`seal`]'s.
/// Encrypts in place in the output buffer: one allocation, no ciphertext copy.
pub fn seal_with_nonce(
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, ArchiveError> {
    let header = 1 + NONCE_LEN;
    let mut out = Vec::with_capacity(header + plaintext.len() + TAG_LEN);
    out.push(VERSION);
    out.extend_from_slice(nonce);
    out.extend_from_slice(plaintext);
    encrypt_tail(key, nonce, aad, &mut out, header)?;
    Ok(out)
}

/// Random nonces for [`seal_with_nonce`], read from the OS random source
/// [`NoncePool::BLOCK`] at a time instead of one system call per sealed record. Every
/// nonce is still 24 fresh random bytes, handed out once.
pub struct NoncePool {
    buf: Vec<u8>,
    pos: usize,
}

impl Default for NoncePool {
    fn default() -> Self {
        NoncePool::new()
    }
}

impl NoncePool {
    /// Nonces fetched per refill.
    pub const BLOCK: usize = 256;

    pub fn new() -> Self {
        NoncePool {
            buf: Vec::new(),
            pos: 0,
        }
    }

    /// The next unused nonce.
    pub fn next_nonce(&mut self) -> Result<[u8; NONCE_LEN], ArchiveError> {
        if self.pos + NONCE_LEN > self.buf.len() {
            self.buf.resize(NONCE_LEN * Self::BLOCK, 0);
            fill_random(&mut self.buf)?;
            self.pos = 0;
        }
        let mut nonce = [0u8; NONCE_LEN];
        let chunk = self
            .buf
            .get(self.pos..self.pos + NONCE_LEN)
            .ok_or_else(|| ArchiveError::Invalid("nonce pool exhausted".into()))?;
        nonce.copy_from_slice(chunk);
        // Wipe what was handed out so a nonce is never reused from this buffer.
        if let Some(used) = self.buf.get_mut(self.pos..self.pos + NONCE_LEN) {
            used.fill(0);
        }
        self.pos += NONCE_LEN;
        Ok(nonce)
    }
}

/// Opens a value sealed by [`seal`].
pub fn open(key: &[u8; 32], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, OpenError> {
    let (version, rest) = sealed.split_first().ok_or(OpenError("empty"))?;
    if *version != VERSION {
        return Err(OpenError("unknown seal version"));
    }
    if rest.len() < NONCE_LEN {
        return Err(OpenError("too short"));
    }
    let (nonce, ct) = rest.split_at(NONCE_LEN);
    let mut n = [0u8; NONCE_LEN];
    n.copy_from_slice(nonce);
    decrypt(key, &n, aad, ct)
}

fn chunk_aad(context: &[u8], index: u64, last: bool) -> Vec<u8> {
    aad(&[
        b"chatwarden-blob-chunk",
        context,
        &index.to_le_bytes(),
        &[u8::from(last)],
    ])
}

/// What [`seal_stream`] saw.
pub struct StreamSummary {
    /// SHA-256 of the plaintext.
    pub plaintext_sha256: [u8; 32],
    pub plaintext_size: u64,
    /// SHA-256 of the sealed bytes written.
    pub sealed_sha256: [u8; 32],
    pub sealed_size: u64,
}

fn read_full(reader: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Seals everything `reader` yields into `writer`, chunk by chunk, in bounded memory.
/// Read errors are reported as `io_path` errors.
pub fn seal_stream(
    key: &[u8; 32],
    context: &[u8],
    reader: &mut dyn Read,
    writer: &mut dyn Write,
    io_path: &std::path::Path,
) -> Result<StreamSummary, ArchiveError> {
    let mut plain_hash = Sha256::new();
    let mut sealed_hash = Sha256::new();
    let mut plain_size = 0u64;
    let mut sealed_size = 0u64;
    let io = |e| ArchiveError::io(io_path, e);
    writer.write_all(BLOB_MAGIC).map_err(io)?;
    sealed_hash.update(BLOB_MAGIC);
    sealed_size += BLOB_MAGIC.len() as u64;
    // Read one chunk ahead so the last chunk can be flagged.
    let mut current = vec![0u8; CHUNK];
    let mut next = vec![0u8; CHUNK];
    let mut current_len = read_full(reader, &mut current).map_err(io)?;
    let mut index = 0u64;
    loop {
        let next_len = if current_len == CHUNK {
            read_full(reader, &mut next).map_err(io)?
        } else {
            0
        };
        let last = next_len == 0;
        let chunk = current.get(..current_len).unwrap_or_default();
        plain_hash.update(chunk);
        plain_size += current_len as u64;
        let mut nonce = [0u8; NONCE_LEN];
        fill_random(&mut nonce)?;
        let mut ct = Vec::with_capacity(chunk.len() + TAG_LEN);
        ct.extend_from_slice(chunk);
        encrypt_tail(key, &nonce, &chunk_aad(context, index, last), &mut ct, 0)?;
        let len =
            u32::try_from(ct.len()).map_err(|_| ArchiveError::Invalid("chunk too large".into()))?;
        for part in [&len.to_le_bytes()[..], &nonce[..], &ct[..]] {
            writer.write_all(part).map_err(io)?;
            sealed_hash.update(part);
            sealed_size += part.len() as u64;
        }
        if last {
            break;
        }
        std::mem::swap(&mut current, &mut next);
        current_len = next_len;
        index += 1;
    }
    Ok(StreamSummary {
        plaintext_sha256: plain_hash.finalize().into(),
        plaintext_size: plain_size,
        sealed_sha256: sealed_hash.finalize().into(),
        sealed_size,
    })
}

/// Opens a blob sealed by [`seal_stream`] (whole, in memory).
pub fn open_stream(key: &[u8; 32], context: &[u8], sealed: &[u8]) -> Result<Vec<u8>, OpenError> {
    let mut rest = sealed
        .strip_prefix(BLOB_MAGIC.as_slice())
        .ok_or(OpenError("not a sealed blob"))?;
    let mut out = Vec::new();
    let mut index = 0u64;
    loop {
        if rest.len() < 4 + NONCE_LEN {
            return Err(OpenError("truncated blob"));
        }
        let (len_bytes, after) = rest.split_at(4);
        let mut lb = [0u8; 4];
        lb.copy_from_slice(len_bytes);
        let len = u32::from_le_bytes(lb) as usize;
        let (nonce, after) = after.split_at(NONCE_LEN);
        if after.len() < len {
            return Err(OpenError("truncated blob"));
        }
        let (ct, after) = after.split_at(len);
        let last = after.is_empty();
        let mut n = [0u8; NONCE_LEN];
        n.copy_from_slice(nonce);
        let plain = decrypt(key, &n, &chunk_aad(context, index, last), ct)?;
        out.extend_from_slice(&plain);
        if last {
            return Ok(out);
        }
        rest = after;
        index += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_and_aad_binding() {
        let key = [1u8; 32];
        let a = aad(&[b"message", b"id1"]);
        let s = seal(&key, &a, b"hello").unwrap();
        assert_eq!(open(&key, &a, &s).unwrap(), b"hello");
        assert!(open(&key, &aad(&[b"message", b"id2"]), &s).is_err());
        assert!(open(&[2u8; 32], &a, &s).is_err());
        let mut bad = s.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(open(&key, &a, &bad).is_err());
        // A fresh nonce each time: two seals of the same value differ.
        assert_ne!(seal(&key, &a, b"hello").unwrap(), s);
    }

    #[test]
    fn pooled_nonces_are_distinct_and_seal_the_same_format() {
        let key = [7u8; 32];
        let a = aad(&[b"message", b"id1"]);
        let mut pool = NoncePool::new();
        let mut seen = std::collections::HashSet::new();
        for i in 0..(NoncePool::BLOCK * 2 + 3) {
            let nonce = pool.next_nonce().unwrap();
            assert_ne!(nonce, [0u8; NONCE_LEN]);
            assert!(seen.insert(nonce), "nonce {i} repeated");
            let s = seal_with_nonce(&key, &nonce, &a, b"hello").unwrap();
            assert_eq!(s.len(), 1 + NONCE_LEN + 5 + TAG_LEN);
            assert_eq!(&s[1..1 + NONCE_LEN], &nonce);
            assert_eq!(open(&key, &a, &s).unwrap(), b"hello");
            assert!(open(&key, &aad(&[b"message", b"id2"]), &s).is_err());
        }
    }

    /// draft-irtf-cfrg-xchacha-03, appendix A.3.1 (AEAD_XChaCha20_Poly1305).
    #[test]
    fn xchacha20_poly1305_draft_test_vector() {
        let key: [u8; 32] =
            hex::decode("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f")
                .unwrap()
                .try_into()
                .unwrap();
        let nonce: [u8; NONCE_LEN] =
            hex::decode("404142434445464748494a4b4c4d4e4f5051525354555657")
                .unwrap()
                .try_into()
                .unwrap();
        let aad = hex::decode("50515253c0c1c2c3c4c5c6c7").unwrap();
        let plaintext = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
        let expected = "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb\
                        731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452\
                        2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9\
                        21f9664c97637da9768812f615c68b13b52e\
                        c0875924c1c7987947deafd8780acf49";
        let sealed = seal_with_nonce(&key, &nonce, &aad, plaintext).unwrap();
        assert_eq!(hex::encode(&sealed[1 + NONCE_LEN..]), expected);
        assert_eq!(open(&key, &aad, &sealed).unwrap(), plaintext);
    }

    /// The same bytes as RustCrypto's XChaCha20-Poly1305 for many lengths, keys and nonces.
    #[test]
    fn same_bytes_as_rustcrypto_xchacha20_poly1305() {
        use chacha20poly1305::aead::{Aead, KeyInit, Payload};
        for len in [0usize, 1, 15, 16, 17, 63, 64, 65, 255, 256, 1000, 4097] {
            let key = [len as u8 ^ 0x5a; 32];
            let mut nonce = [0u8; NONCE_LEN];
            for (i, b) in nonce.iter_mut().enumerate() {
                *b = (i * 7 + len) as u8;
            }
            let plaintext: Vec<u8> = (0..len).map(|i| (i * 31) as u8).collect();
            let a = aad(&[b"message", &len.to_le_bytes()]);
            let ours = seal_with_nonce(&key, &nonce, &a, &plaintext).unwrap();
            let reference = chacha20poly1305::XChaCha20Poly1305::new(&key.into())
                .encrypt(
                    &chacha20poly1305::XNonce::from(nonce),
                    Payload {
                        msg: &plaintext,
                        aad: &a,
                    },
                )
                .unwrap();
            assert_eq!(&ours[1 + NONCE_LEN..], reference.as_slice(), "length {len}");
            assert_eq!(open(&key, &a, &ours).unwrap(), plaintext);
        }
    }

    #[test]
    fn stream_round_trip_sizes_and_truncation() {
        let key = [3u8; 32];
        for size in [0usize, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17] {
            let data: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            let mut out = Vec::new();
            let sum = seal_stream(
                &key,
                b"ctx",
                &mut data.as_slice(),
                &mut out,
                std::path::Path::new("t"),
            )
            .unwrap();
            assert_eq!(sum.plaintext_size, size as u64);
            assert_eq!(sum.sealed_size, out.len() as u64);
            assert_eq!(
                sum.plaintext_sha256,
                <[u8; 32]>::from(Sha256::digest(&data))
            );
            assert_eq!(open_stream(&key, b"ctx", &out).unwrap(), data);
            assert!(open_stream(&key, b"other", &out).is_err());
            if size > CHUNK {
                // Drop the last chunk: the new last chunk was not sealed as last.
                let first_chunk_len = 8 + 4 + NONCE_LEN + CHUNK + 16;
                assert!(open_stream(&key, b"ctx", &out[..first_chunk_len]).is_err());
            }
        }
    }
}
