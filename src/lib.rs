//! kqlport — port Microsoft Sentinel KQL detections to other SIEMs.
//!
//! The core library: rule loading, KQL parsing to a typed AST, and (in later stages) the
//! detection IR and its lowering. It has no filesystem, process or terminal code: callers hand
//! it text and get values and [`diag::Diagnostic`]s back. See ARCHITECTURE.md for the stages.
#![doc = include_str!("../ARCHITECTURE.md")]

pub mod diag;
pub mod filtered_values;
pub mod kql;
pub mod sentinel;
pub mod source;

pub use diag::{Diagnostic, Severity};
pub use source::{SourceMap, Span};
pub mod backend;
pub mod codes;
pub mod ir;
pub mod lower;
pub mod pipeline;
pub mod re2;
pub mod schema;
pub mod stack;
#[cfg(feature = "test-support")]
pub mod test_support;
