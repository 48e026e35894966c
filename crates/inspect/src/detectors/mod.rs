//! Built-in pattern detectors, one file per family.

pub(crate) mod contact;
mod government;
mod health;
mod payment;
mod personal;
mod secrets;
mod takeover;

use crate::pattern::PatternDef;

/// Every built-in pattern, in priority order (earlier wins a tie).
pub(crate) fn all() -> Vec<PatternDef> {
    let mut v = Vec::new();
    v.extend(secrets::patterns());
    v.extend(payment::patterns());
    v.extend(government::patterns());
    v.extend(health::patterns());
    v.extend(personal::patterns());
    v.extend(takeover::patterns());
    v.extend(contact::patterns());
    v
}
