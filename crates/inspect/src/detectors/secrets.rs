//! Secrets: cloud and SaaS keys, tokens, private keys, JWTs, database connection
//! strings with a password, passwords written after a cue, and generic
//! high-entropy secrets next to a cue. Token formats follow the vendors'
//! published prefixes (GitHub, GitLab, Slack, Stripe, Google, OpenAI, AWS).

use crate::checksum::entropy;
use crate::pattern::{PatternDef, ValidateCtx, Verdict, trailing_punct};
use base64::Engine as _;

pub(crate) fn patterns() -> Vec<PatternDef> {
    vec![
        PatternDef::new(
            "AWS_ACCESS_KEY",
            "aws_access_key_id",
            r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b",
            vendor_token,
            0.95,
        ),
        PatternDef {
            min_entropy: Some(4.0),
            ..PatternDef::new(
                "AWS_SECRET_KEY",
                "aws_secret_key",
                r"\b[A-Za-z0-9/+]{40}\b",
                aws_secret,
                0.6,
            )
            .with_context()
        },
        PatternDef::new(
            "GITHUB_TOKEN",
            "github_token",
            r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,251}\b|\bgithub_pat_[A-Za-z0-9_]{22,251}\b",
            vendor_token,
            0.97,
        ),
        PatternDef::new(
            "GITLAB_TOKEN",
            "gitlab_token",
            r"\bgl(?:pat|dt|rt|ptt|ft|soat|oas|imt|agent)-[A-Za-z0-9_\-]{20,64}",
            vendor_token,
            0.95,
        ),
        PatternDef::new(
            "SLACK_TOKEN",
            "slack_token",
            r"\bxox[abposre]-[0-9A-Za-z\-]{10,250}|\bxapp-[0-9]-[A-Za-z0-9\-]{10,250}",
            vendor_token,
            0.95,
        ),
        PatternDef::new(
            "SLACK_WEBHOOK",
            "slack_webhook",
            r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_\-]{20,200}",
            vendor_token,
            0.98,
        ),
        PatternDef::new(
            "STRIPE_KEY",
            "stripe_key",
            r"\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{10,247}\b",
            vendor_token,
            0.95,
        ),
        PatternDef::new(
            "GOOGLE_API_KEY",
            "google_api_key",
            r"\bAIza[0-9A-Za-z_\-]{35}",
            google_api_key,
            0.95,
        ),
        PatternDef::new(
            "OPENAI_API_KEY",
            "openai_api_key",
            r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,200}",
            openai,
            0.95,
        ),
        PatternDef::new(
            "PRIVATE_KEY",
            "pem_private_key",
            r"-----BEGIN[ A-Z0-9]{0,20}PRIVATE KEY(?: BLOCK)?-----(?:[A-Za-z0-9+/=\s:,]|-[A-Za-z0-9])*(?:-----END[ A-Z0-9]{0,20}PRIVATE KEY(?: BLOCK)?-----)?",
            private_key,
            0.99,
        ),
        PatternDef::new(
            "JWT",
            "jwt",
            r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}",
            jwt,
            0.95,
        ),
        PatternDef::new(
            "DB_CONNECTION_STRING",
            "db_url",
            r"(?i:\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|oracle|cockroachdb|clickhouse)://)[^\s:@/]{1,128}:[^\s@/]{1,128}@[^\s]+",
            db_url,
            0.95,
        ),
        PatternDef::new(
            "DB_CONNECTION_STRING",
            "db_jdbc",
            r"(?i:\bjdbc:[a-z0-9]+:)[^\s]{0,200}?(?i:password)=[^\s&;]+[^\s]*",
            db_kv,
            0.95,
        ),
        PatternDef::new(
            "DB_CONNECTION_STRING",
            "db_ado",
            r"(?i:\b(?:Server|Data Source|Host)\s*=)[^;\n]{1,200};[^\n]{0,300}?(?i:Password|Pwd)\s*=\s*[^;\s]+;?",
            db_kv,
            0.95,
        ),
        PatternDef::new(
            "PASSWORD",
            "password_cue",
            r#"(?i:\b(?:password|passwort|passwd|pwd|pw|kennwort|senha|passcode|wachtwoord|parola|passwords?)\b|\bcontraseña|\bmot de passe)(?i:\s+(?:for|of|to|für|zum|para|de|pour)\s+(?:\S+\s+){0,2}?[^\s:=：]+)?(?:\s+(?:is|ist|es|est|é|was|now|=)(?:\s+(?:now|still))?\s*:?|\s*[:=：])\s*["'“]?(\S{3,64})"#,
            password,
            0.85,
        )
        .group(1),
        PatternDef::new(
            "PASSWORD",
            "password_cue_cjk",
            r#"(?:密码|口令|密碼)\s*(?:是|为|為|:|：|=)\s*["'“]?(\S{3,64})"#,
            password,
            0.85,
        )
        .group(1),
        PatternDef {
            min_entropy: Some(3.3),
            ..PatternDef::new(
                "GENERIC_SECRET",
                "secret_assignment",
                r#"(?i:\b(?:secret|token|api[_\- ]?key|apikey|access[_\- ]?key|client[_\- ]?secret|auth[_\- ]?token|private[_\- ]?key))[A-Za-z_\-]{0,12}(?:\s*["']?\s*[:=]\s*|\s+(?:is|ist|es|est)\s+:?\s*)["']?([A-Za-z0-9+/_\-.=]{16,128})|(?i:\bbearer)\s+([A-Za-z0-9+/_\-.=]{16,128})"#,
                generic_secret,
                0.8,
            )
            .group(1)
        },
    ]
}

fn mixed_classes(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    let lower = c.bytes().any(|b| b.is_ascii_lowercase());
    let upper = c.bytes().any(|b| b.is_ascii_uppercase());
    let digit = c.bytes().any(|b| b.is_ascii_digit());
    if u8::from(lower) + u8::from(upper) + u8::from(digit) >= 2 {
        Verdict::score(1.0)
    } else {
        None
    }
}

/// Words that mark a token as a documentation placeholder when one of them is a
/// whole segment of it (`xoxb-your-token-here`, `glpat-your_access_token`).
const PLACEHOLDER_WORDS: &[&str] = &[
    "your",
    "here",
    "token",
    "example",
    "replace",
    "insert",
    "placeholder",
    "redacted",
    "dummy",
    "fake",
    "changeme",
];

/// True when a vendor token is a documentation placeholder, not a credential:
/// AWS's published example keys (`AKIAIOSFODNN7EXAMPLE`,
/// `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`) and others with "example" in
/// them, a run of 8 or more of one character (`XXXXXXXX`, `T00000000`), a
/// segment of 4 or more x's, or a placeholder word as a segment. A random
/// token has any of these with a probability below one in ten thousand.
fn placeholder_token(value: &str) -> bool {
    if value.to_ascii_lowercase().contains("example") {
        return true;
    }
    let mut run = 0usize;
    let mut last = None;
    for b in value.bytes() {
        run = if Some(b) == last { run + 1 } else { 1 };
        last = Some(b);
        if run >= 8 {
            return true;
        }
    }
    value.split(['-', '_', '/', '.']).any(|seg| {
        (seg.len() >= 4 && seg.bytes().all(|b| b == b'x' || b == b'X'))
            || PLACEHOLDER_WORDS
                .iter()
                .any(|w| seg.eq_ignore_ascii_case(w))
    })
}

/// A vendor token with a published prefix: accepted unless it is a placeholder.
fn vendor_token(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    if placeholder_token(c) {
        None
    } else {
        Verdict::score(1.0)
    }
}

fn aws_secret(c: &str, ctx: &ValidateCtx<'_>) -> Option<Verdict> {
    if placeholder_token(c) {
        return None;
    }
    mixed_classes(c, ctx)
}

/// A Google API key is exactly 39 characters: a longer run is something else.
fn google_api_key(c: &str, ctx: &ValidateCtx<'_>) -> Option<Verdict> {
    let next = ctx.text.as_bytes().get(ctx.start + c.len()).copied();
    if next.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        return None;
    }
    vendor_token(c, ctx)
}

fn openai(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    if placeholder_token(c) {
        return None;
    }
    let scoped = ["sk-proj-", "sk-svcacct-", "sk-admin-"]
        .iter()
        .any(|p| c.starts_with(p));
    if c.contains("T3BlbkFJ") || (scoped && c.len() >= 40) {
        Verdict::score(1.0)
    } else {
        None
    }
}

fn private_key(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    // A header without its body and footer (a truncated paste) still counts, lower.
    let score = if c.contains("-----END") { 1.0 } else { 0.85 };
    let trimmed = c.trim_end();
    Verdict::trimmed(score, 0, c.len() - trimmed.len())
}

fn jwt(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    let header = c.split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header.trim_end_matches('='))
        .ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    if value.get("alg").is_some() || value.get("typ").is_some() {
        Verdict::score(1.0)
    } else {
        None
    }
}

fn placeholder(secret: &str) -> bool {
    let s = secret.trim_matches(|c: char| c == '\'' || c == '"');
    let lower = s.to_ascii_lowercase();
    s.is_empty()
        || s.chars()
            .all(|c| c == '*' || c == 'x' || c == 'X' || c == '.')
        || s.starts_with('<')
        || s.starts_with("${")
        || s.starts_with('{')
        || percent_template(s)
        || matches!(
            lower.as_str(),
            "password" | "pass" | "pwd" | "secret" | "changeme" | "yourpassword" | "mypassword"
        )
}

/// A `%`-template standing in for a value: `%PASSWORD%` (Windows), `%s`, `%(pw)s`
/// (printf and Python). A value that merely starts with `%` (`%$*2J6OZ8p`) is not one.
fn percent_template(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('%') else {
        return false;
    };
    let word = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    matches!(rest, "s" | "d" | "v")
        || rest.strip_suffix('%').is_some_and(word)
        || rest
            .strip_prefix('(')
            .and_then(|r| r.strip_suffix(")s"))
            .is_some_and(word)
}

fn db_url(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    let after_scheme = c.split_once("://")?.1;
    let userinfo = after_scheme.rsplit_once('@')?.0;
    let (_, pass) = userinfo.split_once(':')?;
    if placeholder(pass) {
        return None;
    }
    Verdict::trimmed(1.0, 0, trailing_punct(c))
}

fn db_kv(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    let lower = c.to_ascii_lowercase();
    let idx = lower
        .rfind("password=")
        .map(|i| i + 9)
        .or_else(|| lower.rfind("pwd=").map(|i| i + 4))?;
    let value = c
        .get(idx..)?
        .trim_start()
        .split(['&', ';', ' '])
        .next()
        .unwrap_or("");
    if placeholder(value) {
        return None;
    }
    Verdict::trimmed(
        1.0,
        0,
        trailing_punct(c).min(c.len().saturating_sub(idx + value.len())),
    )
}

/// Words that follow "password is" without being a password.
const NOT_A_PASSWORD: &[&str] = &[
    "wrong",
    "incorrect",
    "correct",
    "right",
    "invalid",
    "expired",
    "required",
    "needed",
    "reset",
    "changed",
    "updated",
    "same",
    "different",
    "the",
    "your",
    "my",
    "our",
    "their",
    "his",
    "her",
    "too",
    "not",
    "still",
    "also",
    "just",
    "in",
    "on",
    "at",
    "for",
    "sent",
    "set",
    "saved",
    "stored",
    "attached",
    "below",
    "above",
    "here",
    "there",
    "missing",
    "empty",
    "blank",
    "weak",
    "strong",
    "short",
    "long",
    "case",
    "manager",
    "protected",
    "please",
    "again",
    "now",
    "ok",
    "okay",
    "fine",
    "falsch",
    "richtig",
    "abgelaufen",
    "geändert",
    "neu",
    "incorrecta",
    "correcta",
    "nueva",
    "incorrect.",
    "expiré",
    "nouveau",
    "a",
    "an",
    "same.",
    "policy",
    "field",
    "hint",
    "required.",
    "change",
    "protected.",
    "and",
    "or",
    "but",
    "is",
    "was",
    "be",
    "will",
    "should",
    "must",
];

fn password(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    let trimmed = c.trim_end_matches(|ch: char| {
        matches!(
            ch,
            '.' | ',' | ';' | '!' | '?' | ')' | '"' | '\'' | '”' | '」' | '。' | '，'
        )
    });
    if trimmed.chars().count() < 4 {
        return None;
    }
    let lower = trimmed.to_lowercase();
    if NOT_A_PASSWORD.contains(&lower.as_str()) || placeholder(trimmed) {
        return None;
    }
    // A plain lowercase dictionary-looking word is weaker evidence than a mixed value.
    let plain_word = trimmed
        .chars()
        .all(|ch| ch.is_alphabetic() && ch.is_lowercase());
    let score = if plain_word { 0.75 } else { 1.0 };
    Verdict::trimmed(score, 0, c.len() - trimmed.len())
}

fn generic_secret(c: &str, ctx: &ValidateCtx<'_>) -> Option<Verdict> {
    let trimmed = c.trim_end_matches(['.', '=']);
    let v = mixed_classes(trimmed, ctx)?;
    if entropy(trimmed) < 3.3 {
        return None;
    }
    // Pure words joined by dashes or underscores ("token-refresh-interval") are names, not secrets.
    let digits = trimmed.bytes().filter(u8::is_ascii_digit).count();
    if digits == 0 && trimmed.contains(['-', '_']) {
        return None;
    }
    Verdict::trimmed(v.score, 0, c.len() - trimmed.len())
}
