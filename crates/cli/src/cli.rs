//! Command-line definitions.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "chatwarden",
    version,
    about = "Capture, inspect and keep business chats (WhatsApp, Telegram, Slack, Teams, Signal, Discord, Messenger, Instagram, LINE) in an encrypted, tamper-evident archive",
    long_about = "chatwarden reads chat exports (WhatsApp, Telegram, Slack, Teams, Signal, Discord, Messenger, Instagram, LINE, WhatsApp webhooks), finds personal, payment, health and \
secret data in them, and keeps everything in an encrypted, tamper-evident archive on your own machine.\n\n\
Start with `chatwarden demo` to see it work on a sample corpus.",
    after_help = "Exit codes: 0 success · 1 error · 2 usage error · 3 some inputs failed · 4 verification found a problem"
)]
pub struct Cli {
    /// The archive's data folder.
    #[arg(
        long,
        global = true,
        env = "CHATWARDEN_DATA",
        default_value = "chatwarden-data"
    )]
    pub data: PathBuf,

    /// The master key file; must live outside the data folder [default: <data>.key beside the data folder].
    #[arg(long, global = true, env = "CHATWARDEN_KEY_FILE")]
    pub key_file: Option<PathBuf>,

    /// Who is acting, for the audit trail [default: the OS user].
    #[arg(long, global = true, env = "CHATWARDEN_ACTOR")]
    pub actor: Option<String>,

    /// Print data as JSON for scripts.
    #[arg(long, global = true)]
    pub json: bool,

    /// More log output (-v info, -vv debug). Logs never contain message content.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Build a sample corpus, ingest it into a fresh archive, and show what chatwarden finds.
    Demo(DemoArgs),
    /// Create a new archive: data folder, master key file (mode 0600) and log signing key.
    Init,
    /// Print an export's normalized messages as JSON lines; stores nothing.
    Parse(ParseArgs),
    /// Ingest exports (files, zips or folders) into the archive.
    Ingest(IngestArgs),
    /// List the conversations in the archive.
    Conversations,
    /// Print a conversation as a readable transcript.
    Show(ShowArgs),
    /// List what inspection found (masked; never the raw values).
    Findings(FindingsArgs),
    /// Scan text for sensitive data without storing anything (Presidio-comparable output).
    Scan(ScanArgs),
    /// Check the archive's integrity: every record, blob and signed checkpoint.
    Verify(VerifyArgs),
    /// Export an offline-verifiable inclusion proof for one message.
    Prove(ProveArgs),
    /// Show the audit trail (every read and change).
    Audit(AuditArgs),
    /// Legal holds: content under hold cannot expire or be erased.
    #[command(subcommand)]
    Hold(HoldCommand),
    /// Retention: expire content past its period by destroying its keys.
    #[command(subcommand)]
    Retention(RetentionCommand),
    /// Erase a custodian's or participant's content by destroying its keys (GDPR Art. 17).
    Erase(EraseArgs),
    /// Master key management.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Custom detection rules: exact data match hashes.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Data-governance policy: validate it and see what it would raise over the archive.
    #[command(subcommand)]
    Policy(PolicyCommand),
}

#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// Validate a policy file (line-numbered errors) and dry-run it over the archive:
    /// how many alerts each rule would raise. Stores nothing but the audit record of the read.
    Check {
        /// The policy (TOML) [default: the shipped default policy].
        file: Option<PathBuf>,
        /// The organisation directory (TOML: domains, phone_prefixes, employees CSV).
        #[arg(long)]
        directory: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// Turn a CSV of customer identifiers into keyed hashes for `[[exact]]` rules; the plaintext list is not needed afterwards.
    Hash {
        /// The CSV file (with a header row).
        csv: PathBuf,
        /// The column holding the identifiers.
        #[arg(long)]
        column: String,
        /// Where to write the hash file.
        #[arg(long, short)]
        output: PathBuf,
    },
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Folder for the sample corpus, the demo archive and its key.
    #[arg(long, default_value = "chatwarden-demo")]
    pub dir: PathBuf,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum DateOrderArg {
    Dmy,
    Mdy,
    Ymd,
}

#[derive(Args, Debug, Clone)]
pub struct ExportOptions {
    /// IANA time zone the export's times were written in (e.g. Europe/London). Without it, times are read as UTC.
    #[arg(long)]
    pub tz: Option<String>,
    /// Force the date order when a file is ambiguous.
    #[arg(long, value_enum)]
    pub date_order: Option<DateOrderArg>,
    /// The custodian (employee) whose phone or account the export came from.
    #[arg(long)]
    pub custodian: Option<String>,
    /// Force the input format instead of detecting it from the content
    /// (whatsapp, telegram, slack, teams, signal, discord, messenger, line, whatsapp-webhook).
    #[arg(long, value_name = "NAME")]
    pub format: Option<String>,
}

#[derive(Args, Debug)]
pub struct ParseArgs {
    /// An export: WhatsApp .txt/.zip, Telegram result.json, Slack export .zip, Teams Graph JSON,
    /// Signal .jsonl/data.json, DiscordChatExporter JSON, a Messenger/Instagram download (zip,
    /// folder or message_N.json), a LINE .txt, captured WhatsApp Cloud API webhooks.
    pub file: PathBuf,
    #[command(flatten)]
    pub export: ExportOptions,
}

#[derive(Args, Debug)]
pub struct IngestArgs {
    /// Files, zips or folders (searched recursively for .txt, .zip, .json and .jsonl exports).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub export: ExportOptions,
    /// Skip inspection (findings) for this ingest.
    #[arg(long)]
    pub no_inspect: bool,
    #[command(flatten)]
    pub inspect: InspectOptions,
    /// Messages per durable batch (one transaction and one signed checkpoint each).
    #[arg(long, default_value_t = 5000)]
    pub batch_size: usize,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// Conversation id (or a unique prefix of it) or exact title.
    pub conversation: String,
}

#[derive(Args, Debug)]
pub struct FindingsArgs {
    /// Only this entity (e.g. CREDIT_CARD).
    #[arg(long)]
    pub entity: Option<String>,
    /// Only this conversation (id prefix or title).
    #[arg(long)]
    pub conversation: Option<String>,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ScanInput {
    /// JSON lines {"id": …, "text": …}
    Jsonl,
    /// Plain text, one message per line
    Text,
    /// Any supported chat export (scanned, not stored)
    Export,
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Input kind.
    #[arg(long, value_enum, default_value = "jsonl")]
    pub input: ScanInput,
    /// Input file, or - for standard input.
    #[arg(default_value = "-")]
    pub file: PathBuf,
    #[command(flatten)]
    pub inspect: InspectOptions,
    #[command(flatten)]
    pub export: ExportOptions,
}

#[derive(Args, Debug, Clone, Default)]
pub struct InspectOptions {
    /// Custom detection rules (TOML: dictionaries, regexes with validators, exact data match). See docs/detectors.md.
    #[arg(long, value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// Secret-detection rules in gitleaks' TOML format.
    #[arg(long, value_name = "FILE")]
    pub gitleaks: Vec<PathBuf>,
    /// Default phone region (ISO 3166 alpha-2) for numbers without a country code [default: US].
    #[arg(long)]
    pub region: Option<String>,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// Offline mode: a proof file made by `chatwarden prove`.
    #[arg(long, requires_all = ["checkpoint", "key"])]
    pub proof: Option<PathBuf>,
    /// Offline mode: a signed checkpoint to check the proof against (the proof's own one if it is the same).
    #[arg(long)]
    pub checkpoint: Option<PathBuf>,
    /// Offline mode: the log's public key (verifier key text, or a file holding it).
    #[arg(long)]
    pub key: Option<String>,
}

#[derive(Args, Debug)]
pub struct ProveArgs {
    /// The message id.
    pub message: String,
    /// Write the proof here instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Only events at or after this time (RFC 3339, or a date YYYY-MM-DD).
    #[arg(long)]
    pub since: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum HoldCommand {
    /// Place a legal hold on a custodian or a conversation.
    Add {
        #[arg(
            long,
            conflicts_with = "conversation",
            required_unless_present = "conversation"
        )]
        custodian: Option<String>,
        #[arg(long)]
        conversation: Option<String>,
        /// Why (matter name, request reference).
        #[arg(long)]
        reason: String,
    },
    /// List holds.
    List,
    /// Release a hold.
    Release {
        /// The hold id.
        id: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum RetentionCommand {
    /// Expire content past its retention period (except under legal hold).
    Apply {
        /// Retention rules (TOML) [default: <data>/retention.toml].
        #[arg(long)]
        rules: Option<PathBuf>,
    },
}

#[derive(Args, Debug)]
pub struct EraseArgs {
    #[arg(
        long,
        conflicts_with = "participant",
        required_unless_present = "participant"
    )]
    pub custodian: Option<String>,
    /// A participant id (from `show --json`) or a display name.
    #[arg(long)]
    pub participant: Option<String>,
    /// Retention rules checked before erasing [default: <data>/retention.toml].
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Erase even under unexpired retention (never under legal hold). Requires --reason.
    #[arg(long, requires = "reason")]
    pub override_retention: bool,
    #[arg(long)]
    pub reason: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Re-wrap every data key under a new master key version (content is not re-encrypted).
    Rotate,
}
