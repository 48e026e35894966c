#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Signed-note, checkpoint and tlog-proof tests for `chatwarden_archive::tlog`.
//!
//! Known vectors: the PeterNeumann key and note from golang.org/x/mod/sumdb/note's tests
//! (the reference implementation of C2SP signed-note), and the example texts from the
//! C2SP `tlog-checkpoint` and `tlog-proof` specifications.

use chatwarden_archive::tlog::{
    Checkpoint, Hash, NoteSigner, NoteVerifier, ProofBundle, TlogError, TreeBuilder, add_signature,
    inclusion_proof, leaf_hash, open_note, root, sign_note,
};
use proptest::prelude::*;

const GO_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const GO_SKEY: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const GO_TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                       then you don't know what your problem is.\n";
const GO_SIG: &str = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

fn go_note() -> String {
    format!("{GO_TEXT}\n{GO_SIG}")
}

#[test]
fn go_reference_vector_byte_for_byte() {
    let signer = NoteSigner::parse_skey(GO_SKEY).unwrap();
    assert_eq!(signer.name(), "PeterNeumann");
    assert_eq!(signer.key_id(), 0xc74f20a3);
    assert_eq!(signer.to_skey(), GO_SKEY);
    let v = signer.verifier();
    assert_eq!(v.to_vkey(), GO_VKEY);
    assert_eq!(NoteVerifier::parse(GO_VKEY).unwrap(), v);
    // Ed25519 is deterministic: our note must equal Go's.
    assert_eq!(sign_note(GO_TEXT, &signer).unwrap(), go_note());
    assert_eq!(open_note(&go_note(), &v).unwrap(), GO_TEXT);
    // Round trip through the secret bytes.
    let again = NoteSigner::from_secret_bytes("PeterNeumann", &signer.secret_bytes()).unwrap();
    assert_eq!(again.verifier(), v);
}

#[test]
fn note_line_structure() {
    let signer = NoteSigner::generate("chatwarden.example/log").unwrap();
    let text = "first line\n\nthird line after an empty one\n";
    let note = sign_note(text, &signer).unwrap();
    assert!(note.starts_with(text));
    let sigs = &note[text.len()..];
    // blank line separator, then exactly one signature line
    assert!(sigs.starts_with("\n\u{2014} chatwarden.example/log "));
    assert!(sigs.ends_with('\n'));
    assert_eq!(sigs.matches('\n').count(), 2);
    let b64 = sigs.trim_end().rsplit(' ').next().unwrap();
    assert_eq!(b64.len(), 92); // base64 of 4 + 64 bytes
    assert_eq!(open_note(&note, &signer.verifier()).unwrap(), text);
}

#[test]
fn wrong_key_and_altered_text_fail() {
    let a = NoteSigner::generate("log.example/a").unwrap();
    let b = NoteSigner::generate("log.example/b").unwrap();
    let a2 = NoteSigner::generate("log.example/a").unwrap(); // same name, other key
    let note = sign_note("hello\n", &a).unwrap();
    assert_eq!(
        open_note(&note, &b.verifier()),
        Err(TlogError::NoSignature("log.example/b".into()))
    );
    assert_eq!(
        open_note(&note, &a2.verifier()),
        Err(TlogError::NoSignature("log.example/a".into()))
    );
    let altered = note.replacen("hello", "hellO", 1);
    assert_eq!(
        open_note(&altered, &a.verifier()),
        Err(TlogError::BadSignature("log.example/a".into()))
    );
    let go_altered = go_note().replace("cryptography", "cryptographY");
    assert!(matches!(
        open_note(&go_altered, &NoteVerifier::parse(GO_VKEY).unwrap()),
        Err(TlogError::BadSignature(_))
    ));
}

#[test]
fn unknown_signatures_are_ignored() {
    let log = NoteSigner::generate("log.example").unwrap();
    let witness = NoteSigner::generate("witness.example").unwrap();
    let note = sign_note("tree\n", &log).unwrap();
    let cosigned = add_signature(&note, &witness).unwrap();
    assert_eq!(cosigned.matches('\u{2014}').count(), 2);
    assert_eq!(open_note(&cosigned, &log.verifier()).unwrap(), "tree\n");
    assert_eq!(open_note(&cosigned, &witness.verifier()).unwrap(), "tree\n");
    // An unknown key's line, even with garbage signature bytes, does not matter.
    let extra = format!("{note}— other.example AAAAAAAAAAAAAAAA\n");
    assert_eq!(open_note(&extra, &log.verifier()).unwrap(), "tree\n");
    // Unknown line placed before the known one.
    let sig_line = note.strip_prefix("tree\n\n").unwrap();
    let before = format!("tree\n\n— other.example AAAAAAAAAAAAAAAA\n{sig_line}");
    assert_eq!(open_note(&before, &log.verifier()).unwrap(), "tree\n");
    // Only unknown signatures: rejected.
    let only_unknown = "tree\n\n— other.example AAAAAAAAAAAAAAAA\n";
    assert_eq!(
        open_note(only_unknown, &log.verifier()),
        Err(TlogError::NoSignature("log.example".into()))
    );
}

#[test]
fn known_key_with_corrupt_signature_rejects_note() {
    let log = NoteSigner::generate("log.example").unwrap();
    let note = sign_note("tree\n", &log).unwrap();
    // Flip one base64 character inside the signature part (after the 4-byte key id).
    let idx = note.len() - 10;
    let mut bytes = note.clone().into_bytes();
    bytes[idx] = if bytes[idx] == b'A' { b'B' } else { b'A' };
    let bad = String::from_utf8(bytes).unwrap();
    assert!(matches!(
        open_note(&bad, &log.verifier()),
        Err(TlogError::BadSignature(_) | TlogError::MalformedNote(_))
    ));
    // A good signature plus a bad one from the same key: the whole note is rejected.
    let bad_line = bad.strip_prefix("tree\n\n").unwrap();
    let both = format!("{note}{bad_line}");
    assert!(open_note(&both, &log.verifier()).is_err());
}

#[test]
fn malformed_notes() {
    let log = NoteSigner::generate("log.example").unwrap();
    let v = log.verifier();
    let note = sign_note("tree\n", &log).unwrap();
    let sig_line = note.strip_prefix("tree\n\n").unwrap().to_owned();
    let cases = [
        "tree\n".to_owned(),                                          // no signatures
        format!("tree\n{sig_line}"),                                  // no blank line
        format!("tree\n\n{}", sig_line.trim_end()),                   // no final newline
        format!("tree\n\n{}", sig_line.replacen('\u{2014}', "-", 1)), // not an em dash
        format!("tr\tee\n\n{sig_line}"),                              // control character
        format!("tree\n\n{sig_line}\n"),                              // trailing blank line
        format!(
            "tree\n\n{}",
            sig_line.replacen("log.example ", "log.example  ", 1)
        ),
        "tree\n\n— log.example !!!!\n".to_owned(), // bad base64
        "tree\n\n— log.example AAAA\n".to_owned(), // too short (3 bytes)
        "tree\n\n—  AAAAAAAAAAAAAAAA\n".to_owned(), // empty name
    ];
    for c in &cases {
        assert!(open_note(c, &v).is_err(), "accepted {c:?}");
    }
    assert!(matches!(
        sign_note("no newline", &log),
        Err(TlogError::MalformedNote(_))
    ));
    assert!(matches!(
        sign_note("bell\u{7}\n", &log),
        Err(TlogError::MalformedNote(_))
    ));
    for bad_name in ["", "has space", "a+b", "tab\tname", "new\nline"] {
        assert_eq!(
            NoteSigner::from_secret_bytes(bad_name, &[7; 32]).err(),
            Some(TlogError::InvalidKeyName)
        );
    }
    // Debug output never shows the secret.
    let dbg = format!("{log:?}");
    assert!(!dbg.contains(&format!("{:?}", log.secret_bytes())));
}

#[test]
fn verifier_key_parsing_rejects_manglings() {
    assert!(NoteVerifier::parse(GO_VKEY).is_ok());
    let b = GO_VKEY.as_bytes();
    // every strict substring (as Go's own test does)
    for i in 0..=b.len() {
        for j in i + 1..=b.len() {
            if i == 0 && j == b.len() {
                continue;
            }
            let s = std::str::from_utf8(&b[i..j]).unwrap();
            assert!(NoteVerifier::parse(s).is_err(), "accepted {s:?}");
        }
    }
    // every single-byte increment
    for i in 0..b.len() {
        let mut m = b.to_vec();
        m[i] = m[i].wrapping_add(1);
        if let Ok(s) = std::str::from_utf8(&m) {
            assert!(NoteVerifier::parse(s).is_err(), "accepted {s:?}");
        }
    }
    // a different signature type byte
    use base64::Engine as _;
    let mut raw = vec![0x02u8];
    raw.extend_from_slice(&NoteVerifier::parse(GO_VKEY).unwrap().public_key());
    let other = format!(
        "PeterNeumann+c74f20a3+{}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    );
    assert_eq!(
        NoteVerifier::parse(&other),
        Err(TlogError::UnsupportedKeyType(2))
    );
    // the key id must match the name: rename without recomputing
    assert!(
        NoteVerifier::parse("PeterNeumannX+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
            .is_err()
    );
}

const C2SP_CHECKPOINT_BODY: &str =
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

#[test]
fn checkpoint_body_matches_c2sp_example() {
    let cp = Checkpoint::parse_body(C2SP_CHECKPOINT_BODY).unwrap();
    assert_eq!(cp.origin, "example.com/behind-the-sofa");
    assert_eq!(cp.size, 20_852_163);
    assert!(cp.extensions.is_empty());
    assert_eq!(cp.body(), C2SP_CHECKPOINT_BODY);
}

#[test]
fn checkpoint_parse_errors() {
    let root_b64 = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
    let bad = [
        format!("o\n5\n{root_b64}"),                      // no final newline
        format!("\n5\n{root_b64}\n"),                     // empty origin
        format!("o\n05\n{root_b64}\n"),                   // leading zero
        format!("o\n+5\n{root_b64}\n"),                   // sign
        format!("o\n-1\n{root_b64}\n"),                   // negative
        format!("o\n18446744073709551616\n{root_b64}\n"), // > u64::MAX
        "o\n5\n".to_owned(),                              // missing root
        "o\n5\nAAAA\n".to_owned(),                        // short root
        "o\n5\nnot base64!\n".to_owned(),
        format!("o\n5\n{root_b64}\n\n"), // empty extension
        format!("o\n5\n{root_b64}\next\n\n"),
    ];
    for b in &bad {
        assert!(
            matches!(
                Checkpoint::parse_body(b),
                Err(TlogError::MalformedCheckpoint(_))
            ),
            "accepted {b:?}"
        );
    }
    let zero = Checkpoint::parse_body(&format!("o\n0\n{root_b64}\n")).unwrap();
    assert_eq!(zero.size, 0);
    let ext = Checkpoint::parse_body(&format!("o\n5\n{root_b64}\nx y\nz\n")).unwrap();
    assert_eq!(ext.extensions, vec!["x y".to_owned(), "z".to_owned()]);
}

#[test]
fn checkpoint_sign_and_open() {
    let signer = NoteSigner::generate("chatwarden.example/archive").unwrap();
    let leaves: Vec<Hash> = (0u32..11).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    let cp = Checkpoint {
        origin: "chatwarden.example/archive".into(),
        size: 11,
        root: root(&leaves),
        extensions: vec!["timestamp 2026-01-02T03:04:05Z".into()],
    };
    let note = cp.sign(&signer).unwrap();
    assert!(note.starts_with(&cp.body()));
    assert!(note.contains("\n\n\u{2014} chatwarden.example/archive "));
    assert_eq!(Checkpoint::open(&note, &signer.verifier()).unwrap(), cp);
    // altered size
    let forged = note.replacen("\n11\n", "\n12\n", 1);
    assert!(matches!(
        Checkpoint::open(&forged, &signer.verifier()),
        Err(TlogError::BadSignature(_))
    ));
    // invalid checkpoints are refused before signing
    let mut bad = cp.clone();
    bad.origin = "two\nlines".into();
    assert!(bad.sign(&signer).is_err());
    let mut bad = cp;
    bad.extensions.push(String::new());
    assert!(bad.sign(&signer).is_err());
}

const C2SP_PROOF_EXAMPLE: &str = "c2sp.org/tlog-proof@v1
extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6
index 73894
gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=
B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=
EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=
RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=
AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=

example.com/fancylog
109482
sFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=

— example.com/fancylog hI2DJw[...]1roloI=
";

#[test]
fn proof_parses_c2sp_example_layout() {
    // The spec's example (its extra data shortened to valid base64, signature elided).
    let p = ProofBundle::parse(C2SP_PROOF_EXAMPLE).unwrap();
    assert_eq!(p.index, 73894);
    assert_eq!(p.record, b"age-v1.2.1-darwin-arm64.tar.gz");
    assert_eq!(p.proof.len(), 5);
    assert!(
        p.checkpoint_note
            .starts_with("example.com/fancylog\n109482\n")
    );
    assert_eq!(p.to_text(), C2SP_PROOF_EXAMPLE);
}

fn log_of(n: u32) -> (Vec<Vec<u8>>, Vec<Hash>) {
    let records: Vec<Vec<u8>> = (0..n)
        .map(|i| format!("sealed-record-{i:05}").into_bytes())
        .collect();
    let leaves = records.iter().map(|r| leaf_hash(r)).collect();
    (records, leaves)
}

#[test]
fn proof_bundles_round_trip_and_verify() {
    let signer = NoteSigner::generate("chatwarden.example/archive").unwrap();
    let witness = NoteSigner::generate("witness.example").unwrap();
    let other = NoteSigner::generate("chatwarden.example/archive").unwrap();
    let (records, leaves) = log_of(37);
    let mut tb = TreeBuilder::new();
    leaves.iter().for_each(|l| tb.push(*l));
    let cp = Checkpoint {
        origin: "chatwarden.example/archive".into(),
        size: tb.size(),
        root: tb.root(),
        extensions: vec![],
    };
    let note = add_signature(&cp.sign(&signer).unwrap(), &witness).unwrap();
    for i in 0..37u64 {
        let b = ProofBundle {
            index: i,
            record: records[i as usize].clone(),
            proof: inclusion_proof(&leaves, i, 37).unwrap(),
            checkpoint_note: note.clone(),
        };
        let text = b.to_text();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("c2sp.org/tlog-proof@v1"));
        assert!(lines.next().unwrap().starts_with("extra "));
        assert_eq!(lines.next(), Some(format!("index {i}").as_str()));
        assert!(text.contains("\n\nchatwarden.example/archive\n37\n"));
        let parsed = ProofBundle::parse(&text).unwrap();
        assert_eq!(parsed, b);
        assert_eq!(parsed.verify(&signer.verifier()).unwrap(), cp);
        assert_eq!(parsed.verify(&witness.verifier()).unwrap(), cp);
        assert!(matches!(
            parsed.verify(&other.verifier()),
            Err(TlogError::NoSignature(_))
        ));
        // tampered record
        let mut t = parsed.clone();
        t.record.push(b'!');
        assert_eq!(t.verify(&signer.verifier()), Err(TlogError::RootMismatch));
        // wrong index
        let mut t = parsed.clone();
        t.index = (i + 1) % 37;
        assert!(t.verify(&signer.verifier()).is_err());
        // another record at this index
        let mut t = parsed.clone();
        t.record = records[((i + 5) % 37) as usize].clone();
        assert!(t.verify(&signer.verifier()).is_err());
        // flipped proof byte
        let mut t = parsed.clone();
        t.proof[0][3] ^= 0x10;
        assert!(t.verify(&signer.verifier()).is_err());
        // verify by leaf hash alone
        parsed
            .verify_leaf(&leaves[i as usize], &signer.verifier())
            .unwrap();
    }
}

#[test]
fn proof_parse_errors() {
    let good = "c2sp.org/tlog-proof@v1\nindex 0\n\no\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n— o AAAAAAAAAAAA\n";
    let p = ProofBundle::parse(good).unwrap();
    assert!(p.record.is_empty());
    assert!(p.proof.is_empty());
    assert_eq!(p.to_text(), good);
    let bad = [
        good.replacen("@v1", "@v2", 1),
        good.replacen("index 0", "index 00", 1),
        good.replacen("index 0", "index -1", 1),
        good.replacen("index 0", "idx 0", 1),
        good.replacen("index 0\n", "index 0\nAAAA\n", 1),
        good.replacen("index 0\n", "extra !!\nindex 0\n", 1),
        "c2sp.org/tlog-proof@v1\nindex 0\n\n".to_owned(),
        "c2sp.org/tlog-proof@v1\nindex 0\n".to_owned(),
        String::new(),
    ];
    for b in &bad {
        assert!(ProofBundle::parse(b).is_err(), "accepted {b:?}");
    }
    let h = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n".repeat(65);
    let too_long = good.replacen("index 0\n", &format!("index 0\n{h}"), 1);
    assert!(ProofBundle::parse(&too_long).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_text_signs_and_any_text_change_fails(
        text in "[ -~\u{a0}-\u{2fff}\n]{0,200}", seed in any::<[u8; 32]>(), pos in any::<usize>()
    ) {
        let text = format!("{text}\n");
        let s = NoteSigner::from_secret_bytes("prop.example", &seed).unwrap();
        let note = sign_note(&text, &s).unwrap();
        prop_assert_eq!(open_note(&note, &s.verifier()).unwrap(), text.clone());
        // replace one character of the text with a different one
        let chars: Vec<char> = text.chars().collect();
        let k = pos % chars.len();
        let mut altered: Vec<char> = chars.clone();
        altered[k] = if chars[k] == 'x' { 'y' } else { 'x' };
        let altered: String = altered.into_iter().collect();
        let forged = format!("{altered}{}", &note[text.len()..]);
        prop_assert!(open_note(&forged, &s.verifier()).is_err());
    }

    #[test]
    fn checkpoint_body_round_trips(
        origin in "[!-*,-~]{1,40}", size in any::<u64>(), root in any::<[u8; 32]>(),
        extensions in proptest::collection::vec("[ -~]{1,30}", 0..3)
    ) {
        let cp = Checkpoint { origin, size, root, extensions };
        prop_assert_eq!(Checkpoint::parse_body(&cp.body()).unwrap(), cp);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Hostile input: parsers return errors, never panic.
    #[test]
    fn parsers_never_panic_on_arbitrary_text(s in "(\\PC|\n|\u{2014} |[A-Za-z0-9+/=]{4,90}){0,40}") {
        let v = NoteVerifier::parse(GO_VKEY).unwrap();
        let _ = open_note(&s, &v);
        let _ = Checkpoint::parse_body(&s);
        let _ = Checkpoint::open(&s, &v);
        let _ = NoteVerifier::parse(&s);
        let _ = NoteSigner::parse_skey(&s);
        if let Ok(p) = ProofBundle::parse(&s) {
            let _ = p.verify(&v);
        }
        let prefixed = format!("c2sp.org/tlog-proof@v1\nindex 3\n{s}");
        if let Ok(p) = ProofBundle::parse(&prefixed) {
            let _ = p.verify(&v);
        }
        let go = format!("{GO_TEXT}\n{s}");
        let _ = open_note(&go, &v);
    }
}
