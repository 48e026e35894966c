//! The blob-store conformance suite: every [`BlobStore`] backend (local folder now, S3
//! later) must pass [`run`]. Test support: checks panic on failure, like test assertions.

use super::*;

type Factory<'a> = &'a dyn Fn() -> Result<Box<dyn BlobStore>, ArchiveError>;

fn put(s: &mut dyn BlobStore, name: &str, bytes: &[u8]) -> Result<bool, ArchiveError> {
    let mut w = s.begin()?;
    w.write_all(bytes).map_err(|e| ArchiveError::io(name, e))?;
    w.publish(name)
}

fn get(s: &dyn BlobStore, name: &str) -> Result<Vec<u8>, ArchiveError> {
    let mut out = Vec::new();
    s.open(name)?
        .read_to_end(&mut out)
        .map_err(|e| ArchiveError::io(name, e))?;
    Ok(out)
}

/// Runs every check against stores made by `factory`.
pub fn run(factory: Factory<'_>) -> Result<(), ArchiveError> {
    // Publish, read back, list.
    let mut s = factory()?;
    let big: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
    assert!(put(s.as_mut(), "aa01", b"first")?);
    assert!(put(s.as_mut(), "bb02", &big)?);
    assert!(put(s.as_mut(), "cc03", b"")?);
    assert_eq!(get(s.as_ref(), "aa01")?, b"first");
    assert_eq!(get(s.as_ref(), "bb02")?, big);
    assert_eq!(get(s.as_ref(), "cc03")?, b"");
    assert!(s.exists("aa01")? && !s.exists("dd04")?);
    assert_eq!(s.list()?, vec!["aa01", "bb02", "cc03"]);

    // Write-once: a second publish under a name keeps the first bytes.
    assert!(!put(s.as_mut(), "aa01", b"second")?);
    assert_eq!(get(s.as_ref(), "aa01")?, b"first");

    // Orphans can be removed and the name published again.
    s.remove_orphan("cc03")?;
    assert!(!s.exists("cc03")?);
    s.remove_orphan("cc03")?;
    assert!(put(s.as_mut(), "cc03", b"again")?);
    assert_eq!(get(s.as_ref(), "cc03")?, b"again");

    // Abandoned writes leave nothing visible.
    {
        let mut w = s.begin()?;
        w.write_all(b"abandoned")
            .map_err(|e| ArchiveError::io("w", e))?;
    }
    assert_eq!(s.list()?.len(), 3);

    // Missing blobs and bad names are clear errors.
    assert!(matches!(s.open("dd04"), Err(ArchiveError::NotFound { .. })));
    for bad in ["../etc", "AA01", "a/b0", "", "zz"] {
        assert!(
            matches!(s.open(bad), Err(ArchiveError::Invalid(_))),
            "{bad:?}"
        );
        let w = s.begin()?;
        assert!(
            matches!(w.publish(bad), Err(ArchiveError::Invalid(_))),
            "{bad:?}"
        );
    }
    // A fresh store is empty.
    assert!(factory()?.list()?.is_empty());
    Ok(())
}
