//! Resolving where the archive and its key live, and who is acting.

use anyhow::{Context as _, Result, bail};
use chatwarden_archive::Archive;
use chatwarden_policy::Role;
use std::path::{Path, PathBuf};

pub struct Context {
    pub data: PathBuf,
    pub key_file: PathBuf,
    pub actor: String,
    /// The declared role of the reader (`--role`), for quarantine and redact at read time.
    pub role: Role,
    pub json: bool,
}

impl Context {
    pub fn new(
        data: PathBuf,
        key_file: Option<PathBuf>,
        actor: Option<String>,
        role: Role,
        json: bool,
    ) -> Self {
        let key_file = key_file.unwrap_or_else(|| default_key_file(&data));
        let actor = actor.unwrap_or_else(default_actor);
        Context {
            data,
            key_file,
            actor,
            role,
            json,
        }
    }

    /// Opens an existing archive, with a helpful error when there is none.
    pub fn open(&self) -> Result<Archive> {
        if !Archive::exists(&self.data) {
            bail!(
                "no archive at {}: create one with `chatwarden init --data {}` (or ingest something, which creates it)",
                self.data.display(),
                self.data.display()
            );
        }
        Archive::open(&self.data, &self.key_file, &self.actor)
            .with_context(|| format!("opening the archive at {}", self.data.display()))
    }

    /// Opens the archive, creating it (and its key) first when the folder holds none.
    pub fn open_or_init(&self) -> Result<Archive> {
        if !Archive::exists(&self.data) {
            let info = Archive::init(&self.data, &self.key_file)
                .with_context(|| format!("creating an archive at {}", self.data.display()))?;
            eprintln!(
                "created a new archive at {}\n  master key: {} (keep it safe and outside backups of the data folder)\n  log key:    {}",
                self.data.display(),
                self.key_file.display(),
                info.public_key
            );
        }
        self.open()
    }
}

/// `<data>.key` beside the data folder: outside it, as the archive requires.
pub fn default_key_file(data: &Path) -> PathBuf {
    let name = data
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "chatwarden-data".to_string());
    data.with_file_name(format!("{name}.key"))
}

fn default_actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".to_string());
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_default();
    if host.is_empty() {
        user
    } else {
        format!("{user}@{host}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_key_lives_beside_the_data_folder() {
        assert_eq!(
            default_key_file(Path::new("/srv/cw/data")),
            PathBuf::from("/srv/cw/data.key")
        );
        assert_eq!(
            default_key_file(Path::new("chatwarden-data")),
            PathBuf::from("chatwarden-data.key")
        );
    }
}
