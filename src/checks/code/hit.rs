//! What the code pass reports per place (`CodeHit`) and per file (`UnsafeCounts`), and what a
//! matcher learns about a hit on the way (`HitFacts`): the shapes `scan.rs` fills, `findings.rs`
//! turns into findings and `inventory.rs` adds up.

use crate::finding::RuleDoc;

/// What a code rule found at one place.
#[derive(Clone, Debug)]
pub struct CodeHit {
    pub rule: &'static RuleDoc,
    pub line: usize,
    pub column: usize,
    /// Exclusive, on `line`.
    pub end_column: usize,
    /// What was found, for the message: "`std::mem::transmute`".
    pub what: String,
    /// The flagged line's text, trimmed: what the fingerprint is made of.
    pub snippet: String,
    /// How many earlier hits of this rule in the file have the same snippet.
    pub occurrence: usize,
    pub in_test: bool,
    /// Inventory though its rule finds weaknesses (a query whose splices only shape the
    /// statement): reported as audit, never dated.
    pub inventory: bool,
}

/// Unsafe code in one file, outside test code: the inventory's raw counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UnsafeCounts {
    pub blocks: usize,
    pub functions: usize,
    pub impls: usize,
    pub traits: usize,
    /// The file declares `#![forbid(unsafe_code)]`.
    pub forbids_unsafe: bool,
}

/// What a matcher found out about its hit, for the rule's `HitContext`.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct HitFacts {
    /// A method call's receiver was just allocated and not written since (`weakness-after`).
    pub(super) fresh: Option<bool>,
    /// The first argument comes from outside the program's own strings (`weakness-from`).
    pub(super) outside: bool,
    /// A query whose splices only shape the statement (`query_hit`).
    pub(super) shape_only: bool,
}
