//! Legal holds (placeholder until phase 3).
pub struct Hold;
pub enum HoldTarget {}
