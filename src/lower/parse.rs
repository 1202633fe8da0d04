//! `parse` / `parse-where` → [`ir::StageKind::Parse`]: the kind (`simple`, `relaxed`, `regex`),
//! the pattern's parts, the columns. Only string columns so far: a typed column (`x:long`)
//! changes which rows match in ways a target regex does not follow (Kusto's simple kind
//! converts the text between two constants and empties every column when one conversion
//! fails). What the IR cannot hold is a located `L071` refusal.

use super::{column, unsupported, LResult, Lowerer};
use crate::codes::LowerCode;
use crate::ir;
use crate::kql::ast;

impl<'a> Lowerer<'a> {
    pub(crate) fn parse(
        &mut self,
        filter: bool,
        params: &'a [ast::Param],
        source: &'a ast::Expr,
        pattern: &'a [ast::ParsePart],
    ) -> LResult<ir::StageKind> {
        let mut kind = ir::ParseKind::Simple;
        for p in params {
            match (p.name.as_str(), &p.value.kind) {
                ("kind", ast::ExprKind::Ident(n)) => {
                    kind = match n.name.as_str() {
                        // With string columns only, `relaxed` matches as `simple` does: the two
                        // differ only where a typed column's text does not convert.
                        "simple" | "relaxed" => ir::ParseKind::Simple,
                        "regex" => return Err(unsupported(
                            LowerCode::L071,
                            p.value.span,
                            "`kind=regex` is not translated: Kusto's parse page makes a column \
                                 lazy (`.*?`), while duckdb-kql (kqlport's KQL oracle) matches it \
                                 greedily; which one Kusto runs is not pinned down",
                        )),
                        _ => {
                            return Err(unsupported(
                                LowerCode::L071,
                                p.value.span,
                                "unknown parse kind; expected simple, regex or relaxed",
                            ))
                        }
                    }
                }
                ("flags", _) => {
                    return Err(unsupported(
                        LowerCode::L071,
                        p.span,
                        "parse regex flags are not supported yet",
                    ))
                }
                _ => {
                    return Err(unsupported(
                        LowerCode::L071,
                        p.span,
                        format!("parse parameter `{}` is not supported", p.name),
                    ))
                }
            }
        }
        let mut parts: Vec<ir::ParsePart> = Vec::new();
        for (i, part) in pattern.iter().enumerate() {
            let prev = parts.last();
            match part {
                ast::ParsePart::Wildcard(span) => {
                    if matches!(prev, Some(ir::ParsePart::Capture { .. })) {
                        return Err(unsupported(
                            LowerCode::L071,
                            *span,
                            "`*` right after a column: which text goes to the column is not defined (Kusto rejects `*` after a string column)",
                        ));
                    }
                    if !matches!(prev, Some(ir::ParsePart::Skip)) {
                        parts.push(ir::ParsePart::Skip);
                    }
                }
                ast::ParsePart::Literal { value, span } => {
                    if kind == ir::ParseKind::Regex {
                        crate::re2::check(value).map_err(|e| {
                            unsupported(
                                LowerCode::L053,
                                *span,
                                format!("invalid regular expression: {}", e.message),
                            )
                        })?;
                        if has_capturing_group(value) {
                            return Err(unsupported(
                                LowerCode::L071,
                                *span,
                                "a capturing group inside a parse regex would shift the columns' groups; write `(?:…)`",
                            ));
                        }
                    }
                    match parts.last_mut() {
                        Some(ir::ParsePart::Const(c)) if kind == ir::ParseKind::Simple => {
                            c.push_str(value)
                        }
                        _ => parts.push(ir::ParsePart::Const(value.clone())),
                    }
                }
                ast::ParsePart::Column { name, ty, span } => {
                    let t = match ty {
                        None => ir::ValueType::String,
                        Some(t) => ir::ValueType::from_kql(&t.name).ok_or_else(|| {
                            unsupported(
                                LowerCode::L071,
                                t.span,
                                format!("unknown type `{}`", t.name),
                            )
                        })?,
                    };
                    if t != ir::ValueType::String {
                        return Err(unsupported(
                            LowerCode::L071,
                            *span,
                            format!(
                                "a `{}` parse column is not supported yet: Kusto converts the text \
                                 between the constants and, when that fails, empties every column \
                                 of the parse (the simple kind) — no target regex matches the same way",
                                t.kql_name()
                            ),
                        ));
                    }
                    match prev {
                        Some(ir::ParsePart::Capture { .. }) | Some(ir::ParsePart::Skip) => {
                            return Err(unsupported(
                                LowerCode::L071,
                                *span,
                                "a column right after another column or `*`: where one ends is not defined",
                            ))
                        }
                        _ => {}
                    }
                    let last = i + 1 == pattern.len();
                    if last && kind == ir::ParseKind::Regex {
                        return Err(unsupported(
                            LowerCode::L071,
                            *span,
                            "a column at the end of a regex parse: Kusto's regex kind matches it lazily (`.*?`), and what that gives at the end is not documented",
                        ));
                    }
                    parts.push(ir::ParsePart::Capture {
                        name: column(name),
                        ty: t,
                    });
                }
            }
        }
        if !parts
            .iter()
            .any(|p| matches!(p, ir::ParsePart::Capture { .. }))
        {
            return Err(unsupported(
                LowerCode::L071,
                source.span,
                "the parse pattern has no column",
            ));
        }
        Ok(ir::StageKind::Parse(ir::Parse {
            source: self.expr(source)?,
            kind,
            parts,
            filter,
        }))
    }
}

/// Whether an RE2 pattern has a capturing group: `(` not escaped, not in a class, and not
/// followed by `?` — or followed by `?P<` (a named group).
fn has_capturing_group(re: &str) -> bool {
    let b = re.as_bytes();
    let (mut i, mut class) = (0, false);
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'[' if !class => class = true,
            b']' if class => class = false,
            b'(' if !class => {
                let rest = &re[i + 1..];
                if !rest.starts_with('?') || rest.starts_with("?P<") {
                    return true;
                }
            }
            _ => {}
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::has_capturing_group;

    #[test]
    fn capturing_groups_are_found_outside_classes_and_escapes() {
        assert!(has_capturing_group(r"a(b)"));
        assert!(has_capturing_group(r"(?P<x>b)"));
        assert!(!has_capturing_group(r"a(?:b)"));
        assert!(!has_capturing_group(r"a\(b"));
        assert!(!has_capturing_group(r"[(]b"));
        assert!(!has_capturing_group(r"(?i)b"));
    }
}
