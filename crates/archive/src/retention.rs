//! Retention (placeholder until phase 3).
pub struct RetentionPeriod;
pub struct RetentionReport;
pub struct RetentionRule;
pub struct RetentionRules;
