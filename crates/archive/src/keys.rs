//! Keys: the master key file (outside the data folder), key-encryption keys (KEKs) by
//! version, random data keys (DEKs) wrapped by a KEK, and HKDF derivations.
//!
//! Envelope encryption as described in the AWS Encryption SDK concepts (data keys wrapped
//! by a wrapping key; the wrapped key stored next to the data with the wrapping key's
//! version). Rotation re-wraps DEKs under a new KEK version; content is not re-encrypted.
//!
//! The key file is JSON, mode 0600:
//! `{"format":"chatwarden-keyfile/1","archive_id":..,"log_origin":..,"current_kek":N,
//!   "keks":{"N":"<hex 32 bytes>"},"signing_key":"<hex 32-byte Ed25519 seed>"}`.

use crate::error::ArchiveError;
use crate::seal;
use hkdf::Hkdf;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use zeroize::{Zeroize, Zeroizing};

/// A 256-bit secret that is wiped from memory when dropped.
pub type Secret = Zeroizing<[u8; 32]>;

const KEYFILE_FORMAT: &str = "chatwarden-keyfile/1";

/// Fills a fresh secret from the operating system's random source.
pub fn random_secret() -> Result<Secret, ArchiveError> {
    let mut key = Zeroizing::new([0u8; 32]);
    fill_random(key.as_mut_slice())?;
    Ok(key)
}

/// Fills `buf` from the operating system's random source.
pub fn fill_random(buf: &mut [u8]) -> Result<(), ArchiveError> {
    getrandom::fill(buf).map_err(|e| {
        ArchiveError::io(
            "<os random source>",
            std::io::Error::other(format!("random source failed: {e}")),
        )
    })
}

/// Derives a 32-byte subkey from `secret` with HKDF-SHA256 (RFC 5869), `info` naming its use.
pub fn derive(secret: &[u8; 32], info: &[u8]) -> Secret {
    let hk = Hkdf::<Sha256>::new(Some(b"chatwarden/v1"), secret);
    let mut out = Zeroizing::new([0u8; 32]);
    // 32 bytes is always a valid HKDF-SHA256 output length (at most 255 * 32).
    if hk.expand(info, out.as_mut_slice()).is_err() {
        out.zeroize();
    }
    out
}

/// The key file's stored form.
#[derive(Serialize, Deserialize)]
struct KeyFileJson {
    format: String,
    archive_id: String,
    log_origin: String,
    current_kek: u32,
    keks: BTreeMap<u32, String>,
    signing_key: String,
}

impl Drop for KeyFileJson {
    fn drop(&mut self) {
        for v in self.keks.values_mut() {
            v.zeroize();
        }
        self.signing_key.zeroize();
    }
}

/// The master key material, loaded from the key file.
pub struct KeyFile {
    pub path: PathBuf,
    pub archive_id: String,
    pub log_origin: String,
    pub current_kek: u32,
    pub keks: BTreeMap<u32, Secret>,
    pub signing_key: Secret,
}

fn bad(path: &Path, reason: impl Into<String>) -> ArchiveError {
    ArchiveError::BadKeyFile {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

fn parse_hex32(path: &Path, what: &str, text: &str) -> Result<Secret, ArchiveError> {
    let mut out = Zeroizing::new([0u8; 32]);
    hex::decode_to_slice(text, out.as_mut_slice())
        .map_err(|_| bad(path, format!("{what} is not 64 hex characters")))?;
    Ok(out)
}

impl KeyFile {
    /// A new key file's content with fresh random keys (nothing written yet).
    pub fn generate(path: &Path, archive_id: &str, log_origin: &str) -> Result<Self, ArchiveError> {
        let mut keks = BTreeMap::new();
        keks.insert(1, random_secret()?);
        Ok(KeyFile {
            path: path.to_path_buf(),
            archive_id: archive_id.to_string(),
            log_origin: log_origin.to_string(),
            current_kek: 1,
            keks,
            signing_key: random_secret()?,
        })
    }

    fn to_json(&self) -> Result<Zeroizing<String>, ArchiveError> {
        let json = KeyFileJson {
            format: KEYFILE_FORMAT.to_string(),
            archive_id: self.archive_id.clone(),
            log_origin: self.log_origin.clone(),
            current_kek: self.current_kek,
            keks: self
                .keks
                .iter()
                .map(|(v, k)| (*v, hex::encode(k.as_slice())))
                .collect(),
            signing_key: hex::encode(self.signing_key.as_slice()),
        };
        Ok(Zeroizing::new(serde_json::to_string_pretty(&json)?))
    }

    /// Writes a new key file, mode 0600; refuses to overwrite an existing file.
    pub fn write_new(&self) -> Result<(), ArchiveError> {
        let text = self.to_json()?;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        set_private_mode(&mut opts);
        let mut file = opts.open(&self.path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                ArchiveError::InitRefused(format!(
                    "key file {} already exists; refusing to overwrite it",
                    self.path.display()
                ))
            } else {
                ArchiveError::io(&self.path, e)
            }
        })?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| ArchiveError::io(&self.path, e))?;
        sync_parent(&self.path)
    }

    /// Replaces the key file atomically (write a temporary file beside it, fsync, rename).
    pub fn replace(&self) -> Result<(), ArchiveError> {
        let text = self.to_json()?;
        let tmp = self.path.with_extension("tmp-rotate");
        let _ = std::fs::remove_file(&tmp);
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        set_private_mode(&mut opts);
        let mut file = opts.open(&tmp).map_err(|e| ArchiveError::io(&tmp, e))?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| ArchiveError::io(&tmp, e))?;
        std::fs::rename(&tmp, &self.path).map_err(|e| ArchiveError::io(&self.path, e))?;
        sync_parent(&self.path)
    }

    /// Reads and checks a key file (format, permissions, key lengths).
    pub fn load(path: &Path) -> Result<Self, ArchiveError> {
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ArchiveError::MissingKey {
                    path: path.to_path_buf(),
                });
            }
            Err(e) => return Err(ArchiveError::io(path, e)),
        };
        check_private_mode(path, &meta)?;
        let text =
            Zeroizing::new(std::fs::read_to_string(path).map_err(|e| ArchiveError::io(path, e))?);
        let json: KeyFileJson = serde_json::from_str(&text)
            .map_err(|e| bad(path, format!("not a chatwarden key file ({e})")))?;
        if json.format != KEYFILE_FORMAT {
            return Err(bad(
                path,
                format!("unknown key file format {:?}", json.format),
            ));
        }
        let mut keks = BTreeMap::new();
        for (version, hex_key) in &json.keks {
            keks.insert(*version, parse_hex32(path, "a master key", hex_key)?);
        }
        if !keks.contains_key(&json.current_kek) {
            return Err(bad(
                path,
                format!("current master key version {} is missing", json.current_kek),
            ));
        }
        Ok(KeyFile {
            path: path.to_path_buf(),
            archive_id: json.archive_id.clone(),
            log_origin: json.log_origin.clone(),
            current_kek: json.current_kek,
            keks,
            signing_key: parse_hex32(path, "the signing key", &json.signing_key)?,
        })
    }

    /// Wraps a data key under the current KEK. `scope` is bound as associated data.
    pub fn wrap(&self, scope: &str, dek: &[u8; 32]) -> Result<(u32, Vec<u8>), ArchiveError> {
        let version = self.current_kek;
        let kek = self.keks.get(&version).ok_or_else(|| {
            ArchiveError::WrongKey(format!("master key version {version} missing"))
        })?;
        let sealed = seal::seal(kek, &wrap_aad(scope, version), dek)?;
        Ok((version, sealed))
    }

    /// Unwraps a data key wrapped under KEK `version`.
    pub fn unwrap_key(
        &self,
        scope: &str,
        version: u32,
        wrapped: &[u8],
    ) -> Result<Secret, ArchiveError> {
        let kek = self.keks.get(&version).ok_or_else(|| {
            ArchiveError::WrongKey(format!(
                "data key {scope} is wrapped under master key version {version}, which {} does not hold",
                self.path.display()
            ))
        })?;
        let plain = Zeroizing::new(seal::open(kek, &wrap_aad(scope, version), wrapped).map_err(
            |_| {
                ArchiveError::WrongKey(format!(
                    "data key {scope} does not unwrap with master key version {version} from {}",
                    self.path.display()
                ))
            },
        )?);
        let mut out = Zeroizing::new([0u8; 32]);
        if plain.len() != 32 {
            return Err(ArchiveError::WrongKey(format!(
                "data key {scope} has a bad length"
            )));
        }
        out.copy_from_slice(&plain);
        Ok(out)
    }
}

fn wrap_aad(scope: &str, version: u32) -> Vec<u8> {
    seal::aad(&[b"chatwarden-dek", scope.as_bytes(), &version.to_le_bytes()])
}

#[cfg(unix)]
fn set_private_mode(opts: &mut std::fs::OpenOptions) {
    use std::os::unix::fs::OpenOptionsExt;
    opts.mode(0o600);
}

#[cfg(not(unix))]
fn set_private_mode(_opts: &mut std::fs::OpenOptions) {}

#[cfg(unix)]
fn check_private_mode(path: &Path, meta: &std::fs::Metadata) -> Result<(), ArchiveError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(bad(
            path,
            format!(
                "permissions are {mode:o}; the key file must be readable by its owner only (chmod 600)"
            ),
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private_mode(_path: &Path, _meta: &std::fs::Metadata) -> Result<(), ArchiveError> {
    Ok(())
}

/// fsyncs the folder holding `path`, so a created or renamed entry survives a crash.
pub fn sync_parent(path: &Path) -> Result<(), ArchiveError> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    sync_dir(parent)
}

/// fsyncs a folder.
pub fn sync_dir(dir: &Path) -> Result<(), ArchiveError> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| ArchiveError::io(dir, e))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_unwrap_round_trip_and_scope_binding() {
        let dir = tempfile::tempdir().unwrap();
        let kf = KeyFile::generate(&dir.path().join("k"), "a", "o").unwrap();
        let dek = random_secret().unwrap();
        let (v, wrapped) = kf.wrap("conv:x:meta", &dek).unwrap();
        assert_eq!(v, 1);
        assert_eq!(*kf.unwrap_key("conv:x:meta", v, &wrapped).unwrap(), *dek);
        assert!(matches!(
            kf.unwrap_key("conv:y:meta", v, &wrapped),
            Err(ArchiveError::WrongKey(_))
        ));
        assert!(matches!(
            kf.unwrap_key("conv:x:meta", 2, &wrapped),
            Err(ArchiveError::WrongKey(_))
        ));
    }

    #[test]
    fn key_file_is_private_and_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let kf = KeyFile::generate(&path, "a", "o").unwrap();
        kf.write_new().unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert!(matches!(kf.write_new(), Err(ArchiveError::InitRefused(_))));
        let loaded = KeyFile::load(&path).unwrap();
        assert_eq!(*loaded.keks[&1], *kf.keks[&1]);
        assert_eq!(*loaded.signing_key, *kf.signing_key);
    }

    #[test]
    fn derive_separates_uses() {
        let s = [7u8; 32];
        assert_ne!(*derive(&s, b"a"), *derive(&s, b"b"));
        assert_eq!(*derive(&s, b"a"), *derive(&s, b"a"));
    }
}

/// What `rotate_keys` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RotateReport {
    pub old_version: u32,
    pub new_version: u32,
    /// Data keys re-wrapped (shredded ones have nothing to re-wrap).
    pub rewrapped: u64,
}

impl crate::archive::Archive {
    /// Re-wraps every live data key under a new master key version, without re-encrypting
    /// content. Steps (crash-safe at each): the key file gains the new version (old kept);
    /// one transaction re-wraps all keys; the key file drops the old version.
    pub fn rotate_keys(&mut self) -> Result<RotateReport, ArchiveError> {
        let old_version = self.keys.current_kek;
        let new_version = self.keys.keks.keys().max().copied().unwrap_or(0) + 1;
        self.keys.keks.insert(new_version, random_secret()?);
        self.keys.current_kek = new_version;
        self.keys.replace()?;

        let mut batch = crate::store::WriteBatch::default();
        let mut rewrapped = 0u64;
        for row in self.store.data_keys()? {
            let Some(wrapped) = row.wrapped.as_deref() else {
                continue;
            };
            let dek = self.keys.unwrap_key(&row.scope, row.kek_version, wrapped)?;
            let (kek_version, wrapped) = self.keys.wrap(&row.scope, &dek)?;
            batch.key_updates.push(crate::store::KeyUpdate::Rewrap {
                scope: row.scope,
                kek_version,
                wrapped,
            });
            rewrapped += 1;
        }
        let mut pending = crate::log::PendingLeaves::new(self.log.tree.size());
        self.push_event(
            &mut batch,
            &mut pending,
            "keys.rotate",
            "master-key",
            serde_json::json!({ "from": old_version, "to": new_version, "rewrapped": rewrapped }),
        )?;
        self.commit(batch, pending)?;
        self.keys.keks.retain(|v, _| *v == new_version);
        self.keys.replace()?;
        tracing::info!(
            from = old_version,
            to = new_version,
            rewrapped,
            "master key rotated"
        );
        Ok(RotateReport {
            old_version,
            new_version,
            rewrapped,
        })
    }
}
