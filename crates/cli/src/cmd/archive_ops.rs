//! Keeping and proving: `init`, `verify`, `prove`, `audit`, `hold`, `retention`, `erase`, `keys`.

use super::print_json;
use crate::cli::{
    AuditArgs, EraseArgs, HoldCommand, KeysCommand, ProveArgs, RetentionCommand, VerifyArgs,
};
use crate::context::Context;
use crate::exit::Exit;
use crate::term::safe_line;
use anyhow::{Context as _, Result, bail};
use chatwarden_archive::tlog::{Checkpoint, NoteVerifier, ProofBundle};
use chatwarden_archive::{Archive, EraseTarget, HoldTarget, RetentionRules};
use serde_json::json;

pub fn init(ctx: &Context) -> Result<Exit> {
    let info = Archive::init(&ctx.data, &ctx.key_file)?;
    if ctx.json {
        print_json(&json!({
            "data": ctx.data.display().to_string(),
            "key_file": ctx.key_file.display().to_string(),
            "public_key": info.public_key,
            "log_origin": info.log_origin,
        }))?;
    } else {
        println!("created an archive at {}", ctx.data.display());
        println!("  master key file: {} (mode 0600)", ctx.key_file.display());
        println!("  log origin:      {}", info.log_origin);
        println!("  log public key:  {}", info.public_key);
        println!();
        println!("Back up the master key file separately from the data folder: without it the");
        println!("archive cannot be read; with it and the data folder, anyone can read it.");
    }
    Ok(Exit::Ok)
}

pub fn verify(ctx: &Context, args: VerifyArgs) -> Result<Exit> {
    if let Some(proof) = &args.proof {
        return verify_offline(ctx, proof, args.checkpoint.as_deref(), args.key.as_deref());
    }
    let mut archive = ctx.open()?;
    let report = archive.verify()?;
    if ctx.json {
        print_json(&json!({
            "ok": report.ok,
            "records_checked": report.records_checked,
            "leaves": report.leaves,
            "checkpoints_checked": report.checkpoints_checked,
            "shredded": report.shredded,
            "pending": report.pending,
            "orphan_blobs": report.orphan_blobs,
            "problem_count": report.problem_count,
            "problems": report.problems.iter().map(|p| json!({
                "kind": p.kind, "id": p.id, "leaf_index": p.leaf_index, "what": p.what,
            })).collect::<Vec<_>>(),
        }))?;
    } else {
        println!(
            "{} records re-hashed, {} log leaves, {} signed checkpoint(s) checked, {} shredded record(s) (verified, not readable)",
            report.records_checked, report.leaves, report.checkpoints_checked, report.shredded
        );
        if report.pending > 0 || !report.orphan_blobs.is_empty() {
            println!(
                "note: {} attachment(s) stored but not yet logged and {} unreferenced blob file(s), left by an interrupted ingest; re-run it",
                report.pending,
                report.orphan_blobs.len()
            );
        }
        if report.ok {
            println!("OK: the archive matches its signed log");
        } else {
            println!("FAILED: {} problem(s)", report.problem_count);
            for problem in &report.problems {
                println!("  {}", safe_line(&problem.to_string()));
            }
        }
    }
    Ok(if report.ok {
        Exit::Ok
    } else {
        Exit::VerifyFailed
    })
}

/// Checks one exported proof with nothing but the proof, a checkpoint and the log's public key.
fn verify_offline(
    ctx: &Context,
    proof: &std::path::Path,
    checkpoint: Option<&std::path::Path>,
    key: Option<&str>,
) -> Result<Exit> {
    let key = key.context("--key is required with --proof")?;
    let key_text = if std::path::Path::new(key).is_file() {
        std::fs::read_to_string(key).with_context(|| format!("{key}: cannot read"))?
    } else {
        key.to_string()
    };
    let verifier = NoteVerifier::parse(key_text.trim()).context("--key: not a verifier key")?;
    let text = std::fs::read_to_string(proof)
        .with_context(|| format!("{}: cannot read", proof.display()))?;
    let bundle = match ProofBundle::parse(&text) {
        Ok(bundle) => bundle,
        Err(e) => {
            let detail = format!("{}: not a valid proof: {e}", proof.display());
            if ctx.json {
                print_json(&json!({"ok": false, "detail": detail}))?;
            } else {
                println!("FAILED: {detail}");
            }
            return Ok(Exit::VerifyFailed);
        }
    };
    let outcome = bundle.verify(&verifier);
    let (ok, detail) = match (&outcome, checkpoint) {
        (Err(e), _) => (false, format!("the proof does not verify: {e}")),
        (Ok(proved), Some(path)) => {
            let note = std::fs::read_to_string(path)
                .with_context(|| format!("{}: cannot read", path.display()))?;
            match Checkpoint::open(&note, &verifier) {
                Err(e) => (
                    false,
                    format!(
                        "{}: checkpoint signature does not verify: {e}",
                        path.display()
                    ),
                ),
                Ok(given) if given.size == proved.size && given.root == proved.root => (
                    true,
                    format!(
                        "record {} is leaf {} of the log at size {}",
                        short_record(&bundle),
                        bundle.index,
                        given.size
                    ),
                ),
                Ok(given) => (
                    false,
                    format!(
                        "the proof leads to the checkpoint at size {}, the given checkpoint is at size {}: make a fresh proof with `chatwarden prove`",
                        proved.size, given.size
                    ),
                ),
            }
        }
        (Ok(proved), None) => (
            true,
            format!(
                "record {} is leaf {} of the log at size {}",
                short_record(&bundle),
                bundle.index,
                proved.size
            ),
        ),
    };
    if ctx.json {
        print_json(&json!({"ok": ok, "detail": detail, "index": bundle.index}))?;
    } else {
        println!("{}: {detail}", if ok { "OK" } else { "FAILED" });
    }
    Ok(if ok { Exit::Ok } else { Exit::VerifyFailed })
}

fn short_record(bundle: &ProofBundle) -> String {
    let hash = chatwarden_archive::tlog::leaf_hash(&bundle.record);
    format!("with leaf hash {}…", hex_prefix(&hash))
}

fn hex_prefix(hash: &[u8; 32]) -> String {
    hash.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

pub fn prove(ctx: &Context, args: ProveArgs) -> Result<Exit> {
    let mut archive = ctx.open()?;
    let id = chatwarden_model::MessageId::from(args.message.clone());
    let proof = archive.prove_message(&id)?;
    match &args.output {
        Some(path) => {
            std::fs::write(path, &proof)
                .with_context(|| format!("{}: cannot write", path.display()))?;
            // The checkpoint the proof leads to (making the proof is itself audited,
            // so the log's latest checkpoint is already one step further).
            let note = ProofBundle::parse(&proof)?.checkpoint_note;
            let checkpoint = path.with_extension("checkpoint");
            std::fs::write(&checkpoint, note)
                .with_context(|| format!("{}: cannot write", checkpoint.display()))?;
            eprintln!(
                "wrote {} and {}; check offline with:\n  chatwarden verify --proof {} --checkpoint {} --key '{}'",
                path.display(),
                checkpoint.display(),
                path.display(),
                checkpoint.display(),
                archive.verifier_key()
            );
        }
        None => print!("{proof}"),
    }
    Ok(Exit::Ok)
}

pub fn audit(ctx: &Context, args: AuditArgs) -> Result<Exit> {
    let since = match &args.since {
        None => None,
        Some(text) => Some(parse_since(text)?),
    };
    let mut archive = ctx.open()?;
    let entries = archive.audit_log(since)?;
    if ctx.json {
        print_json(
            &entries
                .iter()
                .map(|e| {
                    json!({
                        "seq": e.seq, "at": e.at.to_string(), "actor": e.actor, "action": e.action,
                        "target": e.target, "details": e.details, "leaf_index": e.leaf_index,
                    })
                })
                .collect::<Vec<_>>(),
        )?;
        return Ok(Exit::Ok);
    }
    println!(
        "{:<20}  {:<24} {:<18} target",
        "time (UTC)", "actor", "action"
    );
    for e in &entries {
        println!(
            "{:<20}  {:<24} {:<18} {}",
            e.at.strftime("%Y-%m-%d %H:%M:%S").to_string(),
            safe_line(&e.actor),
            safe_line(&e.action),
            safe_line(&e.target)
        );
    }
    println!(
        "\n{} audit record(s), each a leaf of the signed log",
        entries.len()
    );
    Ok(Exit::Ok)
}

fn parse_since(text: &str) -> Result<jiff::Timestamp> {
    if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        return Ok(ts);
    }
    let date: jiff::civil::Date = text.parse().with_context(|| {
        format!("--since {text}: use RFC 3339 (2026-03-01T09:00:00Z) or a date (2026-03-01)")
    })?;
    Ok(date.to_zoned(jiff::tz::TimeZone::UTC)?.timestamp())
}

pub fn hold(ctx: &Context, command: HoldCommand) -> Result<Exit> {
    let mut archive = ctx.open()?;
    match command {
        HoldCommand::Add {
            custodian,
            conversation,
            reason,
        } => {
            let target = match (custodian, conversation) {
                (Some(c), _) => HoldTarget::Custodian(c),
                (None, Some(c)) => HoldTarget::Conversation(archive.find_conversation(&c)?.id),
                (None, None) => bail!("name --custodian or --conversation"),
            };
            let hold = archive.hold_add(target, &reason)?;
            if ctx.json {
                print_json(&json!({"id": hold.id, "target": hold.target.to_string()}))?;
            } else {
                println!(
                    "hold {} placed on {}",
                    hold.id,
                    safe_line(&hold.target.to_string())
                );
            }
        }
        HoldCommand::List => {
            let holds = archive.hold_list()?;
            if ctx.json {
                print_json(
                    &holds
                        .iter()
                        .map(|h| {
                            json!({
                                "id": h.id, "target": h.target.to_string(), "reason": h.reason,
                                "created_at": h.created_at.to_string(), "created_by": h.created_by,
                                "released_at": h.released_at.map(|t| t.to_string()),
                                "released_by": h.released_by, "active": h.is_active(),
                            })
                        })
                        .collect::<Vec<_>>(),
                )?;
            } else if holds.is_empty() {
                println!("no legal holds");
            } else {
                for h in &holds {
                    println!(
                        "{}  {:<8} {}  placed {} by {} — {}",
                        h.id,
                        if h.is_active() { "active" } else { "released" },
                        safe_line(&h.target.to_string()),
                        h.created_at.strftime("%Y-%m-%d"),
                        safe_line(&h.created_by),
                        safe_line(&h.reason)
                    );
                }
            }
        }
        HoldCommand::Release { id, reason } => {
            archive.hold_release(&id, &reason)?;
            println!("hold {id} released");
        }
    }
    Ok(Exit::Ok)
}

pub fn retention(ctx: &Context, command: RetentionCommand) -> Result<Exit> {
    let RetentionCommand::Apply { rules } = command;
    let path = rules.unwrap_or_else(|| ctx.data.join("retention.toml"));
    if !path.exists() {
        bail!(
            "{}: no retention rules (write them there, or pass --rules FILE; see docs/compliance.md)",
            path.display()
        );
    }
    let rules = load_rules(&path)?;
    let mut archive = ctx.open()?;
    let report = archive.apply_retention(&rules, jiff::Timestamp::now())?;
    if ctx.json {
        print_json(&json!({
            "keys_shredded": report.keys_shredded,
            "messages_shredded": report.messages_shredded,
            "conversations_touched": report.conversations_touched,
            "held": report.held,
        }))?;
    } else {
        println!(
            "retention applied: {} message(s) in {} conversation(s) expired ({} data key(s) destroyed); {} conversation(s) kept under legal hold",
            report.messages_shredded,
            report.conversations_touched,
            report.keys_shredded,
            report.held
        );
    }
    Ok(Exit::Ok)
}

pub fn erase(ctx: &Context, args: EraseArgs) -> Result<Exit> {
    let target = match (&args.custodian, &args.participant) {
        (Some(c), _) => EraseTarget::Custodian(c.clone()),
        (None, Some(p)) => EraseTarget::Participant(participant_id(p)),
        (None, None) => bail!("name --custodian or --participant"),
    };
    let path = args
        .rules
        .clone()
        .unwrap_or_else(|| ctx.data.join("retention.toml"));
    let rules = if path.exists() {
        load_rules(&path)?
    } else {
        RetentionRules::default()
    };
    let override_reason = if args.override_retention {
        args.reason.as_deref()
    } else {
        None
    };
    let mut archive = ctx.open()?;
    let report = archive.erase(&target, &rules, jiff::Timestamp::now(), override_reason)?;
    if ctx.json {
        print_json(&json!({
            "conversations": report.conversations,
            "keys_shredded": report.keys_shredded,
            "messages_shredded": report.messages_shredded,
        }))?;
    } else {
        println!(
            "erased: {} message(s) in {} conversation(s) made unreadable ({} data key(s) destroyed); the log still verifies",
            report.messages_shredded, report.conversations, report.keys_shredded
        );
    }
    Ok(Exit::Ok)
}

pub fn keys(ctx: &Context, command: KeysCommand) -> Result<Exit> {
    let KeysCommand::Rotate = command;
    let mut archive = ctx.open()?;
    let report = archive.rotate_keys()?;
    if ctx.json {
        print_json(&json!({
            "old_version": report.old_version,
            "new_version": report.new_version,
            "rewrapped": report.rewrapped,
        }))?;
    } else {
        println!(
            "master key rotated: version {} → {}, {} data key(s) re-wrapped (content not re-encrypted)",
            report.old_version, report.new_version, report.rewrapped
        );
    }
    Ok(Exit::Ok)
}

fn load_rules(path: &std::path::Path) -> Result<RetentionRules> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    toml::from_str(&text).with_context(|| format!("{}: invalid retention rules", path.display()))
}

/// A participant id as printed by `show --json`, or a WhatsApp display name.
fn participant_id(text: &str) -> chatwarden_model::ParticipantId {
    if text.len() == 32 && text.chars().all(|c| c.is_ascii_hexdigit()) {
        chatwarden_model::ParticipantId::from(text.to_ascii_lowercase())
    } else {
        chatwarden_model::Participant::id_for(chatwarden_model::Channel::Whatsapp, text)
    }
}
