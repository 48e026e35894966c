//! The demo: a realistic sample corpus, ingested into a fresh archive.

pub mod corpus;
