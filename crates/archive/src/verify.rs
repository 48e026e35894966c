//! Verification (placeholder until phase 2).
pub struct Problem;
pub struct VerifyReport;
