//! Command-line definitions.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "chatwarden",
    version,
    about = "Capture, inspect and keep business chats (WhatsApp, Telegram, Slack, Teams, Signal, Discord, Messenger, Instagram, LINE, iMessage, WeChat, WeCom) in an encrypted, tamper-evident archive",
    long_about = "chatwarden reads chat exports (WhatsApp, Telegram, Slack, Teams, Signal, Discord, Messenger, Instagram, LINE, iMessage, WeChat, WeCom, WhatsApp webhooks), finds personal, payment, health and \
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

    /// The reader's role for this command, recorded with every read in the audit trail. It
    /// decides what the policy's quarantine and redact actions withhold or mask. Declared by
    /// whoever holds the master key: an operator convenience, not an access control.
    #[arg(
        long,
        global = true,
        env = "CHATWARDEN_ROLE",
        value_enum,
        default_value = "viewer"
    )]
    pub role: RoleArg,

    /// Print data as JSON for scripts.
    #[arg(long, global = true)]
    pub json: bool,

    /// More log output (-v info, -vv debug). Logs never contain message content.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

/// A reader's role, least trusted first (the policy file's `redact_below` names).
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum RoleArg {
    Viewer,
    Reviewer,
    Supervisor,
    #[value(alias = "compliance_officer")]
    ComplianceOfficer,
    Admin,
}

impl RoleArg {
    pub fn role(self) -> chatwarden_policy::Role {
        use chatwarden_policy::Role;
        match self {
            RoleArg::Viewer => Role::Viewer,
            RoleArg::Reviewer => Role::Reviewer,
            RoleArg::Supervisor => Role::Supervisor,
            RoleArg::ComplianceOfficer => Role::ComplianceOfficer,
            RoleArg::Admin => Role::Admin,
        }
    }
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
    /// The review queue: alerts the policy raised, and review actions on them.
    #[command(subcommand)]
    Alerts(AlertsCommand),
    /// Supervisory review: random sampling of unflagged messages into the review queue.
    #[command(subcommand)]
    Review(ReviewCommand),
    /// Reports for compliance staff: the policy tips logged for employees.
    #[command(subcommand)]
    Report(ReportCommand),
}

#[derive(Subcommand, Debug)]
pub enum ReportCommand {
    /// Policy tips the `notify` action logged at ingest (no capture route can send them back
    /// into the chat yet), for the employee report: rule, message id, employee, tip.
    Tips {
        /// Only this employee's tips (directory id or custodian, as recorded).
        #[arg(long)]
        employee: Option<String>,
    },
}

/// Which policy an ingest evaluates.
#[derive(Args, Debug, Clone, Default)]
pub struct PolicyOptions {
    /// The data-governance policy (TOML) evaluated on every ingested message; its alerts
    /// are stored for review [default: the shipped default policy].
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// The organisation directory (TOML: domains, phone_prefixes, employees CSV). Without
    /// it nobody is known to be internal, so rules about employees sending data out do not fire.
    #[arg(long, value_name = "FILE")]
    pub directory: Option<PathBuf>,
    /// Do not evaluate the policy (no alerts are raised by this ingest).
    #[arg(long, conflicts_with_all = ["policy", "directory"])]
    pub no_policy: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum StatusArg {
    Open,
    InReview,
    Escalated,
    Closed,
    /// Every state.
    All,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum SeverityArg {
    Low,
    Medium,
    High,
    Critical,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum DispositionArg {
    /// Not a policy breach (a reason is required; it feeds per-rule false-positive counts).
    FalsePositive,
    /// A real hit, handled (e.g. the employee was reminded of the policy).
    Acknowledged,
    /// A breach, reported onward.
    BreachReported,
}

#[derive(Subcommand, Debug)]
pub enum AlertsCommand {
    /// The review queue: most severe first, escalated first within a severity, then oldest.
    /// Without --status: every item that is not closed.
    List {
        /// Only items in this state (repeatable; `all` for every state).
        #[arg(long, value_enum)]
        status: Vec<StatusArg>,
        /// Only items at or above this severity.
        #[arg(long, value_enum)]
        severity: Option<SeverityArg>,
        /// Only items of this department (the responsible employee's, from the directory).
        #[arg(long)]
        department: Option<String>,
        /// Only items whose responsible employee reports to this supervisor (employee id
        /// from the directory's `supervisor` column): a supervisor's own queue.
        #[arg(long)]
        supervisor: Option<String>,
        /// Only items of this rule (`random-sample` for sampled messages).
        #[arg(long)]
        rule: Option<String>,
        /// Only items assigned to this reviewer.
        #[arg(long)]
        assignee: Option<String>,
    },
    /// One item with its alerts, the flagged messages and its review history. Opening an
    /// item is recorded in the audit trail; it is not a review.
    Show {
        /// The item id or a unique prefix of it.
        id: String,
    },
    /// Assign an item to a reviewer.
    Assign {
        id: String,
        /// The reviewer.
        #[arg(long)]
        to: String,
    },
    /// Add a comment to an item.
    Comment {
        id: String,
        #[arg(long)]
        text: String,
    },
    /// Escalate an item (an open item is taken into review first).
    Escalate {
        id: String,
        /// Why it needs a second look.
        #[arg(long)]
        reason: String,
    },
    /// Close an item with a disposition: the review record FINRA Rule 3110 asks for
    /// (an open item is taken into review first).
    Close {
        id: String,
        #[arg(long, value_enum)]
        disposition: DispositionArg,
        /// Why; required for false-positive.
        #[arg(long, required_if_eq("disposition", "false-positive"))]
        reason: Option<String>,
    },
    /// Reopen a closed item.
    Reopen {
        id: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ReviewCommand {
    /// Put a random sample of each custodian's unflagged messages into the review queue
    /// (FINRA Regulatory Notice 07-59). The choice is a keyed hash of each message id, so
    /// the same archive always samples the same messages at a given rate, and raising the
    /// rate keeps those already chosen. Re-running adds nothing twice.
    Sample {
        /// Share of unflagged messages to sample, 0 to 1 [default: the policy's sampling rate].
        #[arg(long)]
        rate: Option<f64>,
        /// Only this custodian's conversations.
        #[arg(long)]
        custodian: Option<String>,
        /// The policy whose [sampling] rates apply [default: the shipped default policy].
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
    },
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
    /// Re-evaluate every stored message under a (changed) policy without re-ingesting:
    /// new alerts are added to the review queue; stored alerts and their review history
    /// are kept. Reports what changed per rule.
    Apply {
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
    /// (whatsapp, telegram, slack, teams, signal, discord, messenger, line, wechat, wecom,
    /// imessage, whatsapp-webhook).
    #[arg(long, value_name = "NAME")]
    pub format: Option<String>,
}

#[derive(Args, Debug)]
pub struct ParseArgs {
    /// An export: WhatsApp .txt/.zip, Telegram result.json, Slack export .zip, Teams Graph JSON,
    /// Signal .jsonl/data.json, DiscordChatExporter JSON, a Messenger/Instagram download (zip,
    /// folder or message_N.json), a LINE .txt, an imessage-exporter .txt/.html, captured WhatsApp Cloud API webhooks.
    pub file: PathBuf,
    #[command(flatten)]
    pub export: ExportOptions,
}

#[derive(Args, Debug)]
pub struct IngestArgs {
    /// Files, zips or folders (searched recursively for .txt, .zip, .json, .jsonl and .html exports, and .csv files with a WeChat export header).
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
    #[command(flatten)]
    pub policy: PolicyOptions,
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
    /// Custom detection rules (TOML: dictionaries, regexes with validators, exact data match, per-entity [thresholds]). See docs/detectors.md.
    #[arg(long, value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// Secret-detection rules in gitleaks' TOML format.
    #[arg(long, value_name = "FILE")]
    pub gitleaks: Vec<PathBuf>,
    /// Default phone region (ISO 3166 alpha-2, e.g. GB, DE) for numbers written without a
    /// country code. scan of JSON lines or text: US when not given. ingest, and scan of an
    /// export: when not given, each conversation's is inferred (the most common country among
    /// its participants' phone numbers, else, at ingest, the --directory's phone ranges), else
    /// none (such numbers are then found only next to a phone word); the ingest summary says
    /// which applied.
    #[arg(long, value_name = "CC", value_parser = crate::phone_region::parse_arg)]
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
