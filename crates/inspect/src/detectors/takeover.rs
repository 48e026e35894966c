//! Account takeover: one-time verification codes shared in a chat (the scam
//! WhatsApp's guidance warns about: "send me the 6-digit code you just got").

use crate::pattern::{PatternDef, ValidateCtx, Verdict};

pub(crate) fn patterns() -> Vec<PatternDef> {
    vec![
        PatternDef::new(
            "VERIFICATION_CODE",
            "otp_code",
            r"\b[0-9]{3}[ \-]?[0-9]{3}\b",
            code,
            0.55,
        )
        .with_context(),
    ]
}

fn code(c: &str, ctx: &ValidateCtx<'_>) -> Option<Verdict> {
    let before = ctx.text.get(..ctx.start).unwrap_or("");
    let after = ctx.text.get(ctx.start + c.len()..).unwrap_or("");
    // Prices, decimals and longer numbers are not codes.
    if before.ends_with(['$', '€', '£', '¥', '#', '.', ',', '+'])
        || after.starts_with(['%', '€', '$'])
        || after
            .strip_prefix(['.', ','])
            .is_some_and(|r| r.starts_with(|ch: char| ch.is_ascii_digit()))
    {
        return None;
    }
    Verdict::score(1.0)
}
