//! Custom rules (filled in below).

use crate::engine::{Cand, Engine};
use crate::error::InspectError;
use crate::pattern::PatternDef;

#[derive(Clone, Debug, Default)]
pub struct CustomRules {}

pub(crate) struct CompiledCustom {}

impl CustomRules {
    pub(crate) fn compile(&self) -> Result<CompiledCustom, InspectError> {
        Ok(CompiledCustom {})
    }
}

impl CompiledCustom {
    pub(crate) fn patterns(&self) -> Result<Vec<PatternDef>, InspectError> {
        Ok(Vec::new())
    }
    pub(crate) fn entity_names(&self) -> Vec<String> {
        Vec::new()
    }
    pub(crate) fn context_lists(&self) -> Vec<(String, Vec<String>)> {
        Vec::new()
    }
    pub(crate) fn scan(&self, _engine: &Engine, _text: &str, _out: &mut Vec<Cand>) {}
}
