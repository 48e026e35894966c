//! Local-folder blob store: `<root>/<first two hex chars>/<name>`. New blobs are staged in
//! `<root>/tmp/`, fsynced, then published with a hard link (which fails if the name exists:
//! write-once), and the folder is fsynced, so a published blob survives a crash.

use super::{BlobStore, BlobWriter, valid_name};
use crate::error::ArchiveError;
use crate::keys::{fill_random, sync_dir};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Sealed blobs in a local folder.
pub struct LocalBlobStore {
    root: PathBuf,
}

impl LocalBlobStore {
    /// Opens (creating) the blob folder.
    pub fn open(root: &Path) -> Result<Self, ArchiveError> {
        std::fs::create_dir_all(root.join("tmp")).map_err(|e| ArchiveError::io(root, e))?;
        Ok(LocalBlobStore {
            root: root.to_path_buf(),
        })
    }

    /// Where a blob's file lives (callers check the name first).
    pub fn path_of(&self, name: &str) -> PathBuf {
        let shard = name.get(..2).unwrap_or("00");
        self.root.join(shard).join(name)
    }

    fn checked_path(&self, name: &str) -> Result<PathBuf, ArchiveError> {
        if !valid_name(name) {
            return Err(ArchiveError::Invalid(format!("bad blob name {name:?}")));
        }
        Ok(self.path_of(name))
    }
}

struct LocalWriter {
    file: Option<File>,
    tmp: PathBuf,
    store_root: PathBuf,
}

impl Write for LocalWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(buf),
            None => Err(std::io::Error::other("blob writer already closed")),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for LocalWriter {
    fn drop(&mut self) {
        self.file = None;
        let _ = std::fs::remove_file(&self.tmp);
    }
}

impl BlobWriter for LocalWriter {
    fn publish(mut self: Box<Self>, name: &str) -> Result<bool, ArchiveError> {
        if !valid_name(name) {
            return Err(ArchiveError::Invalid(format!("bad blob name {name:?}")));
        }
        let file = self
            .file
            .take()
            .ok_or_else(|| ArchiveError::Invalid("blob writer already closed".into()))?;
        file.sync_all()
            .map_err(|e| ArchiveError::io(&self.tmp, e))?;
        drop(file);
        let shard = self.store_root.join(name.get(..2).unwrap_or("00"));
        std::fs::create_dir_all(&shard).map_err(|e| ArchiveError::io(&shard, e))?;
        let target = shard.join(name);
        let created = match std::fs::hard_link(&self.tmp, &target) {
            Ok(()) => true,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => false,
            Err(e) => return Err(ArchiveError::io(&target, e)),
        };
        std::fs::remove_file(&self.tmp).map_err(|e| ArchiveError::io(&self.tmp, e))?;
        if created {
            sync_dir(&shard)?;
            sync_dir(&self.store_root)?;
        }
        Ok(created)
    }
}

impl BlobStore for LocalBlobStore {
    fn begin(&mut self) -> Result<Box<dyn BlobWriter>, ArchiveError> {
        let mut token = [0u8; 16];
        fill_random(&mut token)?;
        let tmp = self
            .root
            .join("tmp")
            .join(format!("{}.part", hex::encode(token)));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| ArchiveError::io(&tmp, e))?;
        Ok(Box::new(LocalWriter {
            file: Some(file),
            tmp,
            store_root: self.root.clone(),
        }))
    }

    fn open(&self, name: &str) -> Result<Box<dyn Read>, ArchiveError> {
        let path = self.checked_path(name)?;
        match File::open(&path) {
            Ok(f) => Ok(Box::new(std::io::BufReader::new(f))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(ArchiveError::NotFound {
                kind: "blob",
                query: name.to_string(),
            }),
            Err(e) => Err(ArchiveError::io(&path, e)),
        }
    }

    fn exists(&self, name: &str) -> Result<bool, ArchiveError> {
        Ok(self.checked_path(name)?.is_file())
    }

    fn remove_orphan(&mut self, name: &str) -> Result<(), ArchiveError> {
        let path = self.checked_path(name)?;
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(ArchiveError::io(&path, e)),
        }
        match path.parent() {
            Some(dir) => sync_dir(dir),
            None => Ok(()),
        }
    }

    fn list(&self) -> Result<Vec<String>, ArchiveError> {
        let mut out = Vec::new();
        let entries = std::fs::read_dir(&self.root).map_err(|e| ArchiveError::io(&self.root, e))?;
        for shard in entries {
            let shard = shard.map_err(|e| ArchiveError::io(&self.root, e))?;
            let shard_name = shard.file_name();
            if shard_name == "tmp" || !shard.path().is_dir() {
                continue;
            }
            let inner =
                std::fs::read_dir(shard.path()).map_err(|e| ArchiveError::io(shard.path(), e))?;
            for f in inner {
                let f = f.map_err(|e| ArchiveError::io(shard.path(), e))?;
                if let Some(n) = f.file_name().to_str()
                    && valid_name(n)
                {
                    out.push(n.to_string());
                }
            }
        }
        out.sort();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_folder_passes_the_conformance_suite() {
        let dir = tempfile::tempdir().unwrap();
        let counter = std::cell::Cell::new(0);
        crate::blob::conformance::run(&|| {
            counter.set(counter.get() + 1);
            Ok(Box::new(LocalBlobStore::open(
                &dir.path().join(format!("b{}", counter.get())),
            )?))
        })
        .unwrap();
        // Staging files are cleaned up.
        let tmp = dir.path().join("b1").join("tmp");
        assert_eq!(std::fs::read_dir(tmp).unwrap().count(), 0);
    }
}
