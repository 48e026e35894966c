//! Erasure (placeholder until phase 3).
pub struct EraseReport;
pub enum EraseTarget {}
