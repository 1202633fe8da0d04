//! KQL front end: `parse(&str) -> Result<ast::Query, Vec<Diagnostic>>`. pest lives only here.

pub mod ast;
