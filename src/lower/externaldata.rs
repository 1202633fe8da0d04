//! `externaldata(col:type, …)[urls] with (format=…, ignoreFirstRecord=…)` → a named lookup
//! ([`ir::SourceKind::Lookup`] with [`ir::LookupOrigin::ExternalData`]): the user loads the
//! URL's records into a target lookup of that name. Like a watchlist, the source of a subquery
//! (`x in (externaldata(…)[…] | …)`, `in (L)` with a `let`), of a join's side or of the whole
//! query (SPL `| inputlookup`, ES|QL `FROM` the index of its name); its name is
//! the defining `let`'s, else the URL's file name, kept to `[A-Za-z0-9_.-]`. Owns its refusals (`L010`).

use super::{unsupported, Binding, LResult, Lowerer};
use crate::codes::LowerCode;
use crate::ir;
use crate::kql::ast;
use crate::schema::ColumnType;
use crate::source::Span;

impl<'a> Lowerer<'a> {
    /// `externaldata` as a query's source (`span`: the source's).
    pub(crate) fn externaldata(
        &mut self,
        x: &'a ast::ExternalData,
        span: Span,
    ) -> LResult<ir::Source> {
        let mut columns = Vec::new();
        for c in &x.columns {
            let Some(ty) = ColumnType::from_kql_name(&c.ty.name) else {
                return Err(unsupported(
                    LowerCode::L010,
                    c.span,
                    format!("`externaldata` column type `{}` is not known", c.ty.name),
                ));
            };
            columns.push(ir::LookupColumn {
                name: c.name.name.clone(),
                ty,
            });
        }
        let mut urls = Vec::new();
        for u in &x.urls {
            match &u.kind {
                ast::ExprKind::Literal(ast::Literal::String(s)) => urls.push(s.clone()),
                _ => {
                    return Err(unsupported(
                        LowerCode::L010,
                        u.span,
                        "an `externaldata` URL is translated when it is one string constant",
                    ))
                }
            }
        }
        let mut format = "csv".to_string();
        let mut ignore_first_record = false;
        for p in &x.properties {
            let value = match &p.value.kind {
                ast::ExprKind::Literal(ast::Literal::String(s)) => Some(s.clone()),
                ast::ExprKind::Ident(n) => Some(n.name.clone()),
                ast::ExprKind::Literal(ast::Literal::Bool(b)) => Some(b.to_string()),
                _ => None,
            };
            match (p.name.name.as_str(), value) {
                ("format", Some(v)) => format = v.to_ascii_lowercase(),
                ("ignoreFirstRecord", Some(v)) if v == "true" || v == "false" => {
                    ignore_first_record = v == "true"
                }
                _ => {
                    return Err(unsupported(
                        LowerCode::L010,
                        p.span,
                        format!(
                            "the `externaldata` property `{}` is not supported (only `format` \
                             and `ignoreFirstRecord` are translated)",
                            p.name.name
                        ),
                    ))
                }
            }
        }
        let name = lookup_name(self.let_of(x), &urls);
        Ok(ir::Source {
            kind: ir::SourceKind::Lookup(ir::Lookup {
                name,
                origin: ir::LookupOrigin::ExternalData {
                    urls,
                    format,
                    ignore_first_record,
                },
                columns,
            }),
            span,
            target: None,
        })
    }

    /// The `let` whose definition reads from `x` (`let L = externaldata(…)[…] | …;`, or
    /// `let L = toscalar(externaldata(…)[…] | …);`), if any. At most one can: `x` is one node.
    fn let_of(&self, x: &ast::ExternalData) -> Option<&str> {
        self.lets.iter().find_map(|(name, b)| match b {
            Binding::Tabular(e) | Binding::ToScalar(_, e) if reads_from(e, x) => {
                Some(name.as_str())
            }
            _ => None,
        })
    }
}

/// Whether tabular expression `e` has `x` as its source.
fn reads_from(e: &ast::Expr, x: &ast::ExternalData) -> bool {
    match &e.kind {
        ast::ExprKind::Pipeline(p) => match &p.source.kind {
            ast::SourceKind::ExternalData(y) => std::ptr::eq(x, y),
            ast::SourceKind::Expr(inner) => reads_from(inner, x),
            _ => false,
        },
        _ => false,
    }
}

/// The lookup's name: the `let`'s name, else the first URL's file name (its last path
/// segment), else `externaldata`; every character outside `[A-Za-z0-9_.-]` becomes `_`, so nothing from the
/// query can reach a target's syntax through it.
pub(crate) fn lookup_name(let_name: Option<&str>, urls: &[String]) -> String {
    let file = || {
        let url = urls.first()?;
        let path = url.split(['?', '#']).next().unwrap_or("");
        let path = path.split_once("://").map_or(path, |(_, rest)| rest);
        // The host is not a file name: only a path segment after it.
        let (_host, rest) = path.split_once('/')?;
        rest.split('/').rfind(|s| !s.is_empty()).map(str::to_string)
    };
    let raw = let_name
        .map(str::to_string)
        .or_else(file)
        .unwrap_or_default();
    let clean: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    // A name of dots only (`.`, `..`) would read as a path, one starting with `-` as an option.
    if clean.chars().all(|c| c == '.') {
        "externaldata".to_string()
    } else if let Some(rest) = clean.strip_prefix('-') {
        format!("_{rest}")
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::lookup_name;

    fn urls(u: &str) -> Vec<String> {
        vec![u.to_string()]
    }

    #[test]
    fn the_let_name_wins_and_is_kept_to_safe_characters() {
        assert_eq!(
            lookup_name(Some("DomainList"), &urls("https://h/a.csv")),
            "DomainList"
        );
        assert_eq!(
            lookup_name(Some("my list|x"), &urls("https://h/a.csv")),
            "my_list_x"
        );
    }

    #[test]
    fn else_the_urls_file_name_without_query_or_fragment() {
        assert_eq!(
            lookup_name(
                None,
                &urls("https://h.example/feeds/Tor%20IPs.csv?sv=1&sig=x#f")
            ),
            "Tor_20IPs.csv"
        );
        // A trailing slash: the last path segment.
        assert_eq!(
            lookup_name(
                None,
                &urls("https://bazaar.abuse.ch/export/txt/sha256/recent/")
            ),
            "recent"
        );
    }

    #[test]
    fn nothing_from_the_url_reaches_the_name_unsanitised() {
        let n = lookup_name(None, &urls("https://h/x/a\" | delete ; `x`\n[search *]"));
        assert!(
            n.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)),
            "{n}"
        );
        // No path segment after the host, dots only, a leading dash: safe fallbacks.
        assert_eq!(
            lookup_name(None, &urls("https://h.example")),
            "externaldata"
        );
        assert_eq!(lookup_name(None, &urls("https://h/..")), "externaldata");
        assert_eq!(lookup_name(None, &urls("https://h/-rf")), "_rf");
        assert_eq!(lookup_name(None, &[]), "externaldata");
    }
}
