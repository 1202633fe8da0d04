//! The pest binding of `grammar/kql.pest`. Owns nothing but the generated parser; pest types
//! never leave `src/kql`. (Operator precedence is in `build.rs`.)

use pest_derive::Parser;

#[derive(Parser)]
#[grammar = "../grammar/kql.pest"]
pub(crate) struct KqlParser;
