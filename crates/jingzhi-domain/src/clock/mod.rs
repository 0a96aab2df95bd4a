//! 法定期限 (legal clocks): working-day calendar and deadline engine. (Being written.)

use crate::coded::CodeTable;

/// The coded enums of this module, for the glossary check.
pub fn code_tables() -> Vec<CodeTable> {
    Vec::new()
}
