//! What the four backends share and no backend owns: target syntax that more than one target
//! needs, kept out of the core (which holds meaning only, never target text).
//!
//! * [`notes`]: note texts several targets share, the target's wording passed in.
//! * [`quote`]: string literals and quoted identifiers as EQL and ES|QL both write them.
//! * [`refusal`]: the "<target> cannot express …" refusal, labelled alike in every target.
//! * [`regex`]: one RE2 syntax walker and an emitter per target regex dialect (Lucene, Java,
//!   PCRE, Sigma's), plus the term-boundary patterns for KQL's `has` family.

pub mod notes;
pub mod quote;
pub mod refusal;
pub mod regex;
