//! KQL functions that lower to IR forms that already exist (a constant, a field path, another
//! function), and precise refusals for functions whose meaning the IR cannot hold. Each rewrite
//! states the KQL semantics it relies on; anything outside them is refused, never guessed.

use super::{unsupported, LResult, Lowerer};
use crate::backend::Effect;
use crate::codes::LowerCode;
use crate::ir;
use crate::kql::ast;
use crate::source::Span;

/// The functions [`Lowerer::rewritten_call`] handles (rewrites and precise refusals); no other
/// name reaches its `match`.
pub(crate) const REWRITTEN_FUNCTIONS: &[&str] = &[
    "make_datetime",
    "datetime_part",
    "datepart",
    "ipv4_is_match",
    "extract_json",
    "extractjson",
    "todecimal",
    "prev",
    "next",
    "row_number",
    "row_cumsum",
    "row_rank_dense",
    "row_rank_min",
    "row_window_session",
    "ipv4_is_in_any_range",
    "has_ipv4",
    "has_any_ipv4",
    "pack",
    "bag_pack",
    "pack_dictionary",
    "pack_all",
    "bag_pack_columns",
    "bag_remove_keys",
    "bag_merge",
    "bag_set_key",
    "bag_zip",
    "set_union",
    "set_difference",
    "set_intersect",
    "set_has_element",
    "array_concat",
    "array_iff",
    "array_index_of",
    "extract_all",
    "range",
    "toscalar",
    "parse_xml",
    "dynamic_to_json",
    "parse_user_agent",
    "make_string",
    "base64_decode_toarray",
    "unicode_codepoints_from_string",
    "geo_info_from_ip_address",
    "translate",
    "format_timespan",
];

impl<'a> Lowerer<'a> {
    /// `extract_all(re, x)` with one capture group in `re`, or `extract_all(re, dynamic([g]),
    /// x)` selecting one group (by number or name): the group's value in every match, an array
    /// of strings, null when there is none ([`ir::ScalarFn::ExtractAll`]). More groups give an
    /// array of arrays, which is refused.
    fn extract_all(
        &mut self,
        span: Span,
        name_span: Span,
        args: &'a [ast::Arg],
    ) -> LResult<ir::ExprKind> {
        let nested = || {
            refused(
                name_span,
                "`extract_all()` of more than one capture group returns every match as an \
                 array of arrays, which is not modelled (one group, as `extract_all(re, x)` \
                 with one group or `extract_all(re, dynamic([g]), x)`, is translated)",
            )
        };
        let (re_arg, groups, text) = match args {
            [re, text] => (re, None, text),
            [re, groups, text] => (re, Some(groups), text),
            _ => return Err(super::expr::arity(span, "extract_all", 3)),
        };
        let re = self.expr(&re_arg.value)?;
        let ir::ExprKind::Literal(ir::Literal::String(pattern)) = &re.kind else {
            return Err(refused(
                re_arg.span,
                "the `extract_all()` pattern must be a constant string",
            ));
        };
        super::expr::check_regex(&re)?;
        let parsed = regex_syntax::ast::parse::Parser::new()
            .parse(pattern)
            .map_err(|e| {
                refused(
                    re_arg.span,
                    format!("not a valid RE2 pattern: {}", e.kind()),
                )
            })?;
        let mut names = Vec::new();
        capture_names(&parsed, &mut names);
        let group = match groups {
            None if names.len() == 1 => 1,
            None => return Err(nested()),
            Some(g) => {
                let ast::ExprKind::Dynamic(ast::DynValue::Array(items)) = &g.value.kind else {
                    return Err(refused(
                        g.span,
                        "the `extract_all()` capture groups must be a constant dynamic array",
                    ));
                };
                let [ast::DynValue::Scalar(item)] = items.as_slice() else {
                    return Err(nested());
                };
                let found = match &item.kind {
                    ast::ExprKind::Literal(ast::Literal::Long(n)) => usize::try_from(*n)
                        .ok()
                        .filter(|n| (1..=names.len()).contains(n)),
                    ast::ExprKind::Literal(ast::Literal::String(n)) => names
                        .iter()
                        .position(|x| x.as_deref() == Some(n.as_str()))
                        .map(|i| i + 1),
                    _ => None,
                };
                found.ok_or_else(|| {
                    refused(g.span, "this capture group is not a group of the pattern")
                })?
            }
        };
        let g = i64::try_from(group).unwrap_or(i64::MAX);
        Ok(ir::ExprKind::Call {
            func: ir::ScalarFn::ExtractAll,
            args: vec![
                re,
                ir::Expr {
                    kind: ir::ExprKind::Literal(ir::Literal::Long(g)),
                    span,
                },
                self.expr(&text.value)?,
            ],
        })
    }

    /// `translate(searchList, replacementList, source)` with constant lists: each character of
    /// `searchList` replaced in `source` by the character at its position in `replacementList`
    /// (the last one for positions past its end; removed when it is empty) — Microsoft's
    /// examples: `translate("abc", "x", "abc")` is `"xxx"`, `translate("abc", "", "ab")` is
    /// `""`, `translate("krasp", "otsku", "spark")` is `"kusto"`. The replacements are
    /// simultaneous; they become one `replace_string` per character, ordered so that no step
    /// rewrites a character an earlier step wrote ([`translation_steps`]). Refused: a computed
    /// list, a character listed twice, an empty search list, characters outside the Basic
    /// Multilingual Plane (KQL's strings are .NET UTF-16 ones: whether a pair is one character
    /// is not documented), and mappings that form a cycle (`"ab"` to `"ba"`).
    fn translate(&mut self, span: Span, args: &'a [ast::Arg]) -> LResult<ir::ExprKind> {
        let [search, replacement, source] = args else {
            return Err(super::expr::arity(span, "translate", 3));
        };
        let mut lists = Vec::new();
        for a in [search, replacement] {
            match self.literal_value(&a.value)? {
                Some(ir::Literal::String(s)) => lists.push(s),
                _ => {
                    return Err(refused(
                        a.span,
                        "the character lists of `translate()` must be constant strings",
                    ))
                }
            }
        }
        let steps = translation_steps(&lists[0], &lists[1])
            .map_err(|why| refused(search.span, format!("`translate()`: {why}")))?;
        let mut value = self.expr(&source.value)?;
        for (from, to) in steps {
            let lit = |s: String| ir::Expr {
                kind: ir::ExprKind::Literal(ir::Literal::String(s)),
                span,
            };
            value = ir::Expr {
                kind: ir::ExprKind::Call {
                    func: ir::ScalarFn::ReplaceString,
                    args: vec![value, lit(from.to_string()), lit(to)],
                },
                span,
            };
        }
        Ok(value.kind)
    }

    /// `format_timespan(t, format)` of a constant timespan and format: the text, folded here.
    /// Microsoft's page: `d`…`dddddddd` the whole days, padded with zeros to the count (`d`
    /// of 15 days is `15`, `ddd` is `015`); `H`/`HH` the hours not counted in days (`HH`
    /// two digits), `m`/`mm` the minutes, `s`/`ss` the seconds, likewise; delimiters as
    /// themselves. Other elements (fractions, `h`), a negative or computed timespan are
    /// refused.
    fn format_timespan(&mut self, span: Span, args: &'a [ast::Arg]) -> LResult<ir::ExprKind> {
        let [t, format] = args else {
            return Err(super::expr::arity(span, "format_timespan", 2));
        };
        let (Some(ir::Literal::Timespan(d)), Some(ir::Literal::String(f))) = (
            self.literal_value(&t.value)?,
            self.literal_value(&format.value)?,
        ) else {
            return Err(refused(
                span,
                "`format_timespan()` is translated for a constant timespan and format only \
                 (its text is then computed here)",
            ));
        };
        timespan_text(d.ticks, &f)
            .map(|text| ir::ExprKind::Literal(ir::Literal::String(text)))
            .map_err(|why| refused(format.span, format!("`format_timespan()`: {why}")))
    }

    /// `Some` when `name` is handled here (rewritten or refused), `None` to fall through to
    /// the plain function table.
    pub(crate) fn rewritten_call(
        &mut self,
        span: Span,
        function: &'a ast::Name,
        args: &'a [ast::Arg],
    ) -> LResult<Option<ir::ExprKind>> {
        let name = function.name.as_str();
        if !REWRITTEN_FUNCTIONS.contains(&name) {
            return Ok(None);
        }
        Ok(Some(match name {
            "make_datetime" => self.make_datetime(span, args)?,
            "translate" => self.translate(span, args)?,
            "format_timespan" => self.format_timespan(span, args)?,
            "datetime_part" | "datepart" => self.datetime_part(span, name, args)?,
            "ipv4_is_match" => self.ipv4_is_match(span, args)?,
            "extract_json" | "extractjson" => self.extract_json(span, name, args)?,
            // A decimal (128-bit, 28-29 significant digits) read as a real (a 64-bit float).
            "todecimal" => {
                let [a] = args else {
                    return Err(super::expr::arity(span, name, 1));
                };
                self.note(
                    span,
                    Effect::Values,
                    "todecimal() is read as todouble(): a 64-bit float keeps 15-17 significant \
                     digits where KQL's decimal keeps 28, so values (and comparisons) beyond \
                     that precision can differ",
                );
                ir::ExprKind::Call {
                    func: ir::ScalarFn::ToReal,
                    args: vec![self.expr(&a.value)?],
                }
            }
            "prev" | "next" => {
                return Err(refused(
                    function.span,
                    format!(
                        "`{name}()` reads neighbouring rows of a serialized (ordered) row set; it \
                         is translated as the whole value of an `extend` item (`extend n = \
                         {name}(x)`), not inside another expression or operator"
                    ),
                ))
            }
            "row_number" | "row_cumsum" | "row_rank_dense" | "row_rank_min"
            | "row_window_session" => {
                return Err(refused(
                    function.span,
                    format!(
                        "`{name}()` computes over the rows of a serialized (ordered) row set in \
                         their order (a running number, sum, rank or session); of the window \
                         functions only `next()`/`prev()` are translated"
                    ),
                ))
            }
            // `ipv4_is_in_any_range(ip, r1, r2, …)` is true when `ip` is in one of the ranges
            // (one call per range, OR-ed); null when `ip` does not parse, as each call is.
            "ipv4_is_in_any_range" => self.ipv4_in_any_range(span, args)?,
            // `has_ipv4(text, ip)` / `has_any_ipv4(text, ip, …)`: one of the addresses occurs in
            // the text delimited by non-alphanumeric characters (KQL's `has` term boundary).
            "has_ipv4" | "has_any_ipv4" => {
                ir::ExprKind::Predicate(Box::new(self.has_any_ipv4(name, span, args)?))
            }
            "pack" | "bag_pack" | "pack_dictionary" => {
                if !args.len().is_multiple_of(2) {
                    return Err(unsupported(
                        LowerCode::L026,
                        span,
                        format!("`{name}()` takes keys and values in pairs"),
                    ));
                }
                ir::ExprKind::Call {
                    func: ir::ScalarFn::BagPack,
                    args: args
                        .iter()
                        .map(|a| self.expr(&a.value))
                        .collect::<LResult<Vec<_>>>()?,
                }
            }
            "pack_all" | "bag_pack_columns" => {
                return Err(refused(
                    function.span,
                    format!(
                        "`{name}()` packs columns into a property bag by their names (all of \
                         them, or these), so its keys depend on the table's schema or on \
                         column names as values; not modelled"
                    ),
                ))
            }
            "bag_remove_keys" | "bag_merge" | "bag_set_key" | "bag_zip" => {
                return Err(refused(
                    function.span,
                    format!(
                        "`{name}()` edits whole property bags (objects); only building one with \
                         bag_pack() and reading paths out of one are modelled"
                    ),
                ))
            }
            "set_has_element" | "array_iff" | "array_index_of" => {
                return Err(refused(
                    function.span,
                    format!("`{name}()` computes on whole dynamic arrays; array values are not modelled"),
                ))
            }
            "extract_all" => self.extract_all(span, function.span, args)?,
            "range" => {
                return Err(refused(
                    function.span,
                    "`range(start, stop, step)` is translated only as an `in`/`!in` list of \
                     integer constants (a rising series); elsewhere it builds a dynamic array \
                     (stop included) at query time, which is not modelled: Splunk's `mvrange` \
                     leaves out its end and takes numbers only, and ES|QL has no function \
                     building a series",
                ))
            }
            // `x in (toscalar(…))` and `let L = toscalar(…)` used as a list are read before
            // this; what is left is a query's one value inside an expression.
            "toscalar" => {
                return Err(refused(
                    function.span,
                    "`toscalar()` as a value inside an expression (a query's one result, \
                     e.g. a total to divide by) is not translated; it is translated as the list \
                     of `in`/`!in`/`has_any` when the query ends in `summarize make_list(x)` or \
                     `make_set(x)`",
                ))
            }
            "parse_xml" => {
                return Err(refused(
                    function.span,
                    "`parse_xml()` reads XML text into a dynamic object: child elements as keys, \
                     attributes as `@name`, text as `#text`, a repeated element as an array but a \
                     lone one as an object, an empty `<Data Name='x'/>` as a bag without `#text` \
                     that still holds its place in the array, entities decoded. Splunk's \
                     spath/xpath read XML paths and attributes (`Data{@Name}`), but Splunk's \
                     documentation does not say from which base an XML position (`Data{N}`) \
                     counts (only that it differs from JSON), whether an empty element holds a \
                     place among the values of a repeated one (and spath without a path reads \
                     only the first 5,000 characters); so a read of SecurityEvent's \
                     `EventData.Data` by position or by `@Name` cannot be shown to pick the same \
                     element. ES|QL has no XML reader",
                ))
            }
            // `todynamic(dynamic_to_json(x))` of an array of strings is `x` (expr.rs,
            // `json_round_trip`); the JSON text itself is refused.
            "dynamic_to_json" => {
                return Err(refused(
                    function.span,
                    "`dynamic_to_json()` writes a dynamic value as canonical JSON text: a property \
                     bag's keys sorted by name (nested bags too), no spaces, a datetime inside as \
                     text; Splunk's tojson/json_object and ES|QL keep the value's own key order \
                     and spacing, so the text, and any test on it, can differ. Only \
                     todynamic(dynamic_to_json(x)) of an array of strings (extract_all, split) \
                     is translated, as x",
                ))
            }
            "parse_user_agent" => {
                return Err(refused(
                    function.span,
                    "`parse_user_agent()` parses a user-agent string with Microsoft's own rules \
                     into an object; no target has the same parser",
                ))
            }
            "make_string" | "base64_decode_toarray" | "unicode_codepoints_from_string" => {
                return Err(refused(
                    function.span,
                    format!("`{name}()` converts between strings and arrays of numbers; array values are not modelled"),
                ))
            }
            "geo_info_from_ip_address" => {
                return Err(refused(
                    function.span,
                    "`geo_info_from_ip_address()` looks the address up in Microsoft's GeoIP \
                     data; no target can reproduce those values (Splunk's iplocation and \
                     Elastic's geoip use other databases)",
                ))
            }
            // Not reached: the table above lists every arm.
            _ => return Ok(None),
        }))
    }

    fn ipv4_in_any_range(&mut self, span: Span, args: &'a [ast::Arg]) -> LResult<ir::ExprKind> {
        let Some((ip, ranges)) = args.split_first().filter(|(_, r)| !r.is_empty()) else {
            return Err(unsupported(
                LowerCode::L026,
                span,
                "`ipv4_is_in_any_range()` takes an address and at least one range",
            ));
        };
        let mut literals = Vec::new();
        for r in ranges {
            match &r.value.kind {
                ast::ExprKind::Dynamic(_) | ast::ExprKind::List(_) => {
                    self.collect_literals(&r.value, &mut literals)?
                }
                ast::ExprKind::Ident(n) if self.scalar_let(&n.name).is_some() => {
                    self.collect_literals(&r.value, &mut literals)?
                }
                _ => match self.literal_value(&r.value)? {
                    Some(l) => literals.push(l),
                    None => literals.push(ir::Literal::Null),
                },
            }
        }
        let mut calls = Vec::new();
        for l in literals {
            let ir::Literal::String(range) = l else {
                return Err(unsupported(
                    LowerCode::L026,
                    span,
                    "the ranges of `ipv4_is_in_any_range()` must be constant strings",
                ));
            };
            calls.push(ir::Expr {
                kind: ir::ExprKind::Call {
                    func: ir::ScalarFn::Ipv4IsInRange,
                    args: vec![
                        self.expr(&ip.value)?,
                        ir::Expr {
                            kind: ir::ExprKind::Literal(ir::Literal::String(range)),
                            span,
                        },
                    ],
                },
                span,
            });
        }
        if calls.len() == 1 {
            return Ok(calls.remove(0).kind);
        }
        Ok(ir::ExprKind::Predicate(Box::new(ir::Predicate {
            kind: ir::PredicateKind::Or(
                calls
                    .into_iter()
                    .map(|c| ir::Predicate {
                        span: c.span,
                        kind: ir::PredicateKind::Bool(c),
                    })
                    .collect(),
            ),
            span,
        })))
    }

    /// `has_ipv4(text, ip)` and `has_any_ipv4(text, ip, …)` of constant addresses (strings or
    /// dynamic arrays of them). Microsoft's pages: true when one of the addresses "is a valid
    /// IPv4 address, and it was found in source", where "IP address entrances in a text must be
    /// properly delimited with non-alphanumeric characters"; `127.0.0.256` is never found. That
    /// is KQL's `has` term test of each valid address (it starts and ends in a digit, so both
    /// ends need a non-alphanumeric or the text's end): a [`ir::MatchKind::Term`] `has_any`. An
    /// address the pages do not say is valid or invalid (leading zeros, a prefix, spaces) is
    /// refused. The pages give no example of an address next to a dot (`1.127.0.0.1`); a dot
    /// is non-alphanumeric, so it delimits here, which a note states in both directions.
    pub(crate) fn has_any_ipv4(
        &mut self,
        name: &str,
        span: Span,
        args: &'a [ast::Arg],
    ) -> LResult<ir::Predicate> {
        let Some((text, addresses)) = args.split_first().filter(|(_, r)| !r.is_empty()) else {
            return Err(unsupported(
                LowerCode::L026,
                span,
                format!("`{name}()` takes a text and at least one address"),
            ));
        };
        if name == "has_ipv4" && addresses.len() != 1 {
            return Err(unsupported(
                LowerCode::L026,
                span,
                "`has_ipv4()` takes a text and one address",
            ));
        }
        let mut literals = Vec::new();
        for a in addresses {
            match &a.value.kind {
                ast::ExprKind::Dynamic(_) | ast::ExprKind::List(_) => {
                    self.collect_literals(&a.value, &mut literals)?
                }
                ast::ExprKind::Ident(n) if self.scalar_let(&n.name).is_some() => {
                    self.collect_literals(&a.value, &mut literals)?
                }
                _ => match self.literal_value(&a.value)? {
                    Some(l) => literals.push(l),
                    None => {
                        return Err(unsupported(
                            LowerCode::L026,
                            a.span,
                            format!(
                                "the addresses of `{name}()` must be constant strings (or a \
                                 constant list of them)"
                            ),
                        ))
                    }
                },
            }
        }
        let mut values = Vec::new();
        for l in literals {
            let ir::Literal::String(addr) = l else {
                return Err(unsupported(
                    LowerCode::L026,
                    span,
                    format!("the addresses of `{name}()` must be constant strings"),
                ));
            };
            match dotted_quad(&addr) {
                Some(true) => values.push(addr),
                // Four decimal parts, one above 255: not a valid address, never found.
                Some(false) => {}
                None => {
                    return Err(unsupported(
                        LowerCode::L026,
                        span,
                        format!(
                            "`{name}()` of \"{addr}\": Microsoft's pages do not say whether \
                             text other than a plain dotted quad (parts 0-255 without leading \
                             zeros) counts as a valid IPv4 address"
                        ),
                    ))
                }
            }
        }
        if values.is_empty() {
            return Ok(ir::Predicate {
                kind: ir::PredicateKind::Const(false),
                span,
            });
        }
        let msg = format!(
            "`{name}()` finds an address delimited by non-alphanumeric characters (Microsoft's \
             pages); they give no example of an address next to a dot, as in `1.127.0.0.1` or \
             `127.0.0.1.5`, which this translation counts as found, nor of one written with \
             leading zeros (`127.0.0.01`), which it does not"
        );
        self.note(span, Effect::OverMatch, msg.clone());
        self.note(span, Effect::UnderMatch, msg);
        Ok(ir::Predicate {
            kind: ir::PredicateKind::StrMatch(ir::StrMatch {
                field: self.expr(&text.value)?,
                kind: ir::MatchKind::Term,
                case: ir::Case::Sensitive,
                values,
                quantifier: ir::Quantifier::Any,
                negated: false,
            }),
            span,
        })
    }

    /// `make_datetime(y, m, d [, h, min [, s]])` of constants is a datetime constant; KQL
    /// gives null for an out-of-range part (year 0-9999, month 1-12, a real day of that
    /// month, hour 0-23, minute 0-59, second 0 to under 60).
    fn make_datetime(&mut self, span: Span, args: &'a [ast::Arg]) -> LResult<ir::ExprKind> {
        if !matches!(args.len(), 3 | 5 | 6) {
            return Err(unsupported(
                LowerCode::L026,
                span,
                "`make_datetime()` takes 3, 5 or 6 arguments",
            ));
        }
        let mut parts = Vec::new();
        for a in &args[..args.len().min(5)] {
            match self.literal_value(&a.value)? {
                Some(ir::Literal::Long(n)) => parts.push(n),
                _ => {
                    return Err(unsupported(
                        LowerCode::L026,
                        a.span,
                        "`make_datetime()` with a part computed at query time is not supported; \
                         only constant parts are",
                    ))
                }
            }
        }
        // Seconds in 100 ns ticks (KQL's resolution).
        let ticks = match args.get(5) {
            None => 0,
            Some(a) => match self.literal_value(&a.value)? {
                Some(ir::Literal::Long(n)) if (0..60).contains(&n) => n * 10_000_000,
                Some(ir::Literal::Real(x)) if (0.0..60.0).contains(&x) => (x * 1e7).round() as i64,
                Some(ir::Literal::Long(_) | ir::Literal::Real(_)) => -1,
                _ => {
                    return Err(unsupported(
                        LowerCode::L026,
                        a.span,
                        "`make_datetime()` with a part computed at query time is not supported; \
                         only constant parts are",
                    ))
                }
            },
        };
        let (y, m, d) = (parts[0], parts[1], parts[2]);
        let (h, min) = (
            parts.get(3).copied().unwrap_or(0),
            parts.get(4).copied().unwrap_or(0),
        );
        let valid = (0..=9999).contains(&y)
            && (1..=12).contains(&m)
            && d >= 1
            && d <= days_in_month(y, m)
            && (0..=23).contains(&h)
            && (0..=59).contains(&min)
            && (0..600_000_000).contains(&ticks);
        if !valid {
            return Ok(ir::ExprKind::Literal(ir::Literal::Null));
        }
        let (s, frac) = (ticks / 10_000_000, ticks % 10_000_000);
        let mut text = format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}");
        if frac != 0 {
            let f = format!("{frac:07}");
            text.push('.');
            text.push_str(f.trim_end_matches('0'));
        }
        text.push('Z');
        Ok(ir::ExprKind::Literal(ir::Literal::DateTime(text)))
    }

    /// `datetime_part("hour", t)` is `hourofday(t)`; likewise year and month (part names are
    /// case-insensitive in KQL). Other parts have no IR function yet.
    fn datetime_part(
        &mut self,
        span: Span,
        name: &str,
        args: &'a [ast::Arg],
    ) -> LResult<ir::ExprKind> {
        let [part, t] = args else {
            return Err(super::expr::arity(span, name, 2));
        };
        let func = match self.literal_value(&part.value)? {
            Some(ir::Literal::String(p)) => match p.to_ascii_lowercase().as_str() {
                "year" => ir::ScalarFn::GetYear,
                "month" => ir::ScalarFn::GetMonth,
                "hour" => ir::ScalarFn::HourOfDay,
                _ => {
                    return Err(refused(
                        part.span,
                        format!("`{name}()` of the part \"{p}\" is not supported yet (year, month and hour are)"),
                    ))
                }
            },
            _ => {
                return Err(unsupported(
                    LowerCode::L026,
                    part.span,
                    format!("the part of `{name}()` must be a constant string"),
                ))
            }
        };
        Ok(ir::ExprKind::Call {
            func,
            args: vec![self.expr(&t.value)?],
        })
    }

    /// `ipv4_is_match(ip1, ip2 [, prefix])` with one side a constant address is
    /// `ipv4_is_in_range(other, "net/p")`: KQL compares both addresses under the smallest
    /// prefix among `prefix` and the ones written in the strings (default 32), and gives null
    /// when an address does not parse — as `ipv4_is_in_range` does.
    fn ipv4_is_match(&mut self, span: Span, args: &'a [ast::Arg]) -> LResult<ir::ExprKind> {
        if !matches!(args.len(), 2 | 3) {
            return Err(unsupported(
                LowerCode::L026,
                span,
                "`ipv4_is_match()` takes 2 or 3 arguments",
            ));
        }
        let mut prefix = 32u32;
        if let Some(p) = args.get(2) {
            match self.literal_value(&p.value)? {
                Some(ir::Literal::Long(n)) if (0..=32).contains(&n) => prefix = n as u32,
                _ => {
                    return Err(unsupported(
                        LowerCode::L026,
                        p.span,
                        "the prefix of `ipv4_is_match()` must be a constant from 0 to 32",
                    ))
                }
            }
        }
        let constant = |cx: &mut Self, a: &'a ast::Arg| -> LResult<Option<(u32, Option<u32>)>> {
            Ok(match cx.literal_value(&a.value)? {
                Some(ir::Literal::String(s)) => parse_ipv4_prefix(&s),
                _ => None,
            })
        };
        let (addr, other) =
            match (constant(self, &args[0])?, constant(self, &args[1])?) {
                (Some(c), _) => (c, &args[1]),
                (None, Some(c)) => (c, &args[0]),
                (None, None) => return Err(unsupported(
                    LowerCode::L026,
                    span,
                    "`ipv4_is_match()` needs one side to be a constant IPv4 address (a.b.c.d or \
                     a.b.c.d/n)",
                )),
            };
        let (ip, own) = addr;
        let p = own.map_or(prefix, |o| o.min(prefix));
        let mask = if p == 0 { 0 } else { u32::MAX << (32 - p) };
        let net = ip & mask;
        let cidr = format!(
            "{}.{}.{}.{}/{p}",
            net >> 24,
            (net >> 16) & 0xff,
            (net >> 8) & 0xff,
            net & 0xff
        );
        let msg = "ipv4_is_match() also applies a prefix written in the compared value itself \
                   (a.b.c.d/n with n below the constant's prefix widens the match); the \
                   rendering as ipv4_is_in_range ignores such a value's own prefix";
        self.note(span, Effect::UnderMatch, msg);
        self.note(span, Effect::OverMatch, msg);
        Ok(ir::ExprKind::Call {
            func: ir::ScalarFn::Ipv4IsInRange,
            args: vec![
                self.expr(&other.value)?,
                ir::Expr {
                    kind: ir::ExprKind::Literal(ir::Literal::String(cidr)),
                    span,
                },
            ],
        })
    }

    /// `extract_json("$.a.b[0]", X [, typeof(T)])` reads the element of the JSON text `X` at a
    /// constant JSONPath, as a string unless a type is given: the field path `json:X.a.b[0]`
    /// under `tostring` (or the conversion to T). JSONPath wildcards, recursive descent and
    /// filters are refused.
    fn extract_json(
        &mut self,
        span: Span,
        name: &str,
        args: &'a [ast::Arg],
    ) -> LResult<ir::ExprKind> {
        if !matches!(args.len(), 2 | 3) {
            return Err(unsupported(
                LowerCode::L026,
                span,
                format!("`{name}()` takes 2 or 3 arguments"),
            ));
        }
        let segments = match self.literal_value(&args[0].value)? {
            Some(ir::Literal::String(p)) => json_path(&p).ok_or_else(|| {
                unsupported(
                    LowerCode::L026,
                    args[0].span,
                    format!(
                        "only a simple JSONPath ($.a.b, $['a'], $.a[0]) is supported in `{name}()`"
                    ),
                )
            })?,
            _ => {
                return Err(unsupported(
                    LowerCode::L026,
                    args[0].span,
                    format!("the JSONPath of `{name}()` must be a constant string"),
                ))
            }
        };
        let func = match args.get(2).map(|a| &a.value) {
            None => Some(ir::ScalarFn::ToString),
            Some(ast::Expr {
                kind: ast::ExprKind::Call { function, args: t },
                span: tspan,
            }) if function.name == "typeof" && t.len() == 1 => {
                let ty = match &t[0].value.kind {
                    ast::ExprKind::Ident(n) => n.name.as_str(),
                    _ => "",
                };
                match ty {
                    "string" => Some(ir::ScalarFn::ToString),
                    "long" => Some(ir::ScalarFn::ToLong),
                    "int" => Some(ir::ScalarFn::ToInt),
                    "real" | "double" => Some(ir::ScalarFn::ToReal),
                    "bool" | "boolean" => Some(ir::ScalarFn::ToBool),
                    "datetime" | "date" => Some(ir::ScalarFn::ToDateTime),
                    "dynamic" => None,
                    _ => {
                        return Err(unsupported(
                            LowerCode::L026,
                            *tspan,
                            format!("`{name}()` to this type is not supported"),
                        ))
                    }
                }
            }
            Some(other) => {
                return Err(unsupported(
                    LowerCode::L026,
                    other.span,
                    format!("the type of `{name}()` must be written typeof(…)"),
                ))
            }
        };
        let mut path = self.json_source(&args[1].value)?;
        path.path.extend(segments);
        let field = ir::Expr {
            kind: ir::ExprKind::Field(path),
            span,
        };
        Ok(match func {
            Some(func) => ir::ExprKind::Call {
                func,
                args: vec![field],
            },
            None => field.kind,
        })
    }

    /// The JSON text `extract_json` reads, as a field path: a column is parsed JSON text
    /// (`json:X`); a path into a dynamic value stays that path.
    fn json_source(&mut self, e: &'a ast::Expr) -> LResult<ir::FieldPath> {
        match self.expr(e)?.kind {
            ir::ExprKind::Field(mut p) => {
                if p.path.is_empty() {
                    p.parsed = true;
                }
                Ok(p)
            }
            ir::ExprKind::Call {
                func: ir::ScalarFn::ToString,
                args,
            } if matches!(args.first().map(|a| &a.kind), Some(ir::ExprKind::Field(p)) if !p.path.is_empty()) => {
                match args.into_iter().next().map(|a| a.kind) {
                    Some(ir::ExprKind::Field(p)) => Ok(p),
                    _ => unreachable!("checked above"),
                }
            }
            _ => Err(unsupported(
                LowerCode::L023,
                e.span,
                "reading JSON text computed at query time is not supported; only a column (or a \
                 path into one) is",
            )),
        }
    }
}

/// An `L027` refusal with a precise reason.
/// The text of `format_timespan(ticks, format)` (see `Lowerer::format_timespan`).
fn timespan_text(ticks: i64, format: &str) -> Result<String, String> {
    if ticks < 0 {
        return Err("a negative timespan: how its sign is written is not documented".into());
    }
    let secs = ticks / ir::Duration::TICKS_PER_SECOND;
    let (days, hours, minutes, seconds) =
        (secs / 86_400, secs / 3_600 % 24, secs / 60 % 60, secs % 60);
    let chars: Vec<char> = format.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let run = chars[i..].iter().take_while(|&&x| x == c).count();
        let (value, max) = match c {
            'd' => (days, 8),
            'H' => (hours, 2),
            'm' => (minutes, 2),
            's' => (seconds, 2),
            ' ' | '/' | '-' | ':' | ',' | '.' | '_' | '[' | ']' => {
                out.push(c);
                i += 1;
                continue;
            }
            _ => {
                return Err(format!(
                    "the format element `{c}` is not translated (d, H, m, s and delimiters are)"
                ))
            }
        };
        if run > max {
            return Err(format!(
                "`{}` is not a format element",
                c.to_string().repeat(run)
            ));
        }
        out.push_str(&format!("{value:0run$}"));
        i += run;
    }
    Ok(out)
}

/// `translate()`'s character mapping as replacements done one after another: (character,
/// its replacement — one character, or none), each step placed before every step that writes
/// the character it replaces, so the result is the simultaneous mapping's. Characters mapped
/// to themselves need no step. `Err` with the reason for what is refused (see
/// `Lowerer::translate`).
fn translation_steps(search: &str, replacement: &str) -> Result<Vec<(char, String)>, String> {
    let search: Vec<char> = search.chars().collect();
    let replacement: Vec<char> = replacement.chars().collect();
    if search.is_empty() {
        return Err("an empty search list replaces nothing; write the source itself".into());
    }
    if search
        .iter()
        .chain(&replacement)
        .any(|c| u32::from(*c) > 0xFFFF)
    {
        return Err(
            "a character outside the Basic Multilingual Plane: KQL's strings are UTF-16, and \
             whether it counts as one character or two is not documented"
                .into(),
        );
    }
    let mut pairs: Vec<(char, Option<char>)> = Vec::new();
    for (i, c) in search.iter().enumerate() {
        if search[..i].contains(c) {
            return Err(format!(
                "the character {c:?} is listed twice in the search list, and which of its \
                 replacements KQL uses is not documented"
            ));
        }
        let to = replacement.get(i).or(replacement.last()).copied();
        if to != Some(*c) {
            pairs.push((*c, to));
        }
    }
    let mut steps = Vec::new();
    while !pairs.is_empty() {
        // A step may run now when the character it writes is not one a later step replaces.
        let Some(i) = pairs
            .iter()
            .position(|(_, to)| !to.is_some_and(|t| pairs.iter().any(|(c, _)| *c == t)))
        else {
            return Err(
                "the mapping is a cycle (a character replaced by one that is itself replaced, \
                 back to the first), which one replacement after another cannot give"
                    .into(),
            );
        };
        let (c, to) = pairs.remove(i);
        steps.push((c, to.map(String::from).unwrap_or_default()));
    }
    Ok(steps)
}

fn refused(span: Span, message: impl Into<String>) -> Box<crate::diag::Diagnostic> {
    Box::new(
        crate::diag::Diagnostic::error(LowerCode::L027, message, span)
            .with_label("not translatable"),
    )
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// `a.b.c.d` or `a.b.c.d/n` (decimal octets 0-255, n 0-32) as (address, prefix).
pub(crate) fn parse_ipv4_prefix(s: &str) -> Option<(u32, Option<u32>)> {
    let (ip, prefix) = match s.split_once('/') {
        Some((ip, p)) => {
            let p: u32 = p.parse().ok().filter(|p| *p <= 32)?;
            (ip, Some(p))
        }
        None => (s, None),
    };
    let octets: Vec<&str> = ip.split('.').collect();
    if octets.len() != 4 {
        return None;
    }
    let mut n = 0u32;
    for o in octets {
        if o.is_empty() || o.len() > 3 || !o.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let v: u32 = o.parse().ok()?;
        if v > 255 {
            return None;
        }
        n = (n << 8) | v;
    }
    Some((n, prefix))
}

/// `$.a.b`, `$['a']["b"]`, `$.a[0]` as path segments; `None` for the root alone, wildcards,
/// recursive descent (`..`), slices and filters.
pub(crate) fn json_path(p: &str) -> Option<Vec<ir::PathSegment>> {
    let mut rest = p.strip_prefix('$')?;
    let mut out = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let key = &r[..end];
            if key.is_empty() || key.contains(['*', ']', '\'', '"', '(', '?', '@', '$']) {
                return None;
            }
            out.push(ir::PathSegment::Key(key.to_string()));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let close = r.find(']')?;
            let inner = r[..close].trim();
            let quoted = ['\'', '"'].iter().find_map(|q| {
                inner
                    .strip_prefix(*q)
                    .and_then(|x| x.strip_suffix(*q))
                    .filter(|x| !x.contains(['\'', '"', '\\']))
            });
            match quoted {
                Some(k) => out.push(ir::PathSegment::Key(k.to_string())),
                None => {
                    let i: i64 = inner.parse().ok().filter(|i| *i >= 0)?;
                    out.push(ir::PathSegment::Index(i));
                }
            }
            rest = &r[close + 1..];
        } else {
            return None;
        }
    }
    if out.is_empty() {
        None
    } else {
        Some(out)
    }
}

/// The capture groups of a pattern in RE2's order (by opening parenthesis), with their names.
fn capture_names(node: &regex_syntax::ast::Ast, out: &mut Vec<Option<String>>) {
    use regex_syntax::ast::{Ast, GroupKind};
    match node {
        Ast::Group(g) => {
            match &g.kind {
                GroupKind::CaptureIndex(_) => out.push(None),
                GroupKind::CaptureName { name, .. } => out.push(Some(name.name.clone())),
                GroupKind::NonCapturing(_) => {}
            }
            capture_names(&g.ast, out);
        }
        Ast::Repetition(r) => capture_names(&r.ast, out),
        Ast::Alternation(a) => a.asts.iter().for_each(|x| capture_names(x, out)),
        Ast::Concat(c) => c.asts.iter().for_each(|x| capture_names(x, out)),
        _ => {}
    }
}

/// `Some(true)` for a valid IPv4 address written as a plain dotted quad (four decimal parts
/// 0-255, no leading zeros), `Some(false)` for four such parts with one above 255 (invalid per
/// Microsoft's `has_ipv4` page), `None` for any other text.
fn dotted_quad(s: &str) -> Option<bool> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut valid = true;
    for p in parts {
        if p.is_empty()
            || p.len() > 3
            || !p.bytes().all(|b| b.is_ascii_digit())
            || (p.len() > 1 && p.starts_with('0'))
        {
            return None;
        }
        valid &= p.parse::<u16>().ok()? <= 255;
    }
    Some(valid)
}

#[cfg(test)]
mod translate_tests {
    use super::translation_steps;

    fn steps(s: &str, r: &str) -> Vec<(char, String)> {
        translation_steps(s, r).expect("translatable")
    }

    #[test]
    fn microsofts_examples_as_ordered_replacements() {
        // translate("abc", "x", "abc") == "xxx": the last replacement fills the rest.
        assert_eq!(
            steps("abc", "x"),
            vec![('a', "x".into()), ('b', "x".into()), ('c', "x".into())]
        );
        // translate("abc", "", "ab") == "": removed.
        assert_eq!(
            steps("ab", ""),
            vec![('a', String::new()), ('b', String::new())]
        );
        // translate("krasp", "otsku", "spark") == "kusto": k is replaced before s writes k,
        // s before a writes s.
        let order: String = steps("krasp", "otsku").iter().map(|(c, _)| *c).collect();
        assert_eq!(order, "krsap");
    }

    #[test]
    fn timespan_texts_of_microsofts_elements() {
        use super::timespan_text;
        // 15.13:45:30: d -> 15, dd -> 15, ddd -> 015
        let t = ((15 * 86_400 + 13 * 3_600 + 45 * 60 + 30) as i64) * 10_000_000;
        assert_eq!(timespan_text(t, "d").as_deref(), Ok("15"));
        assert_eq!(timespan_text(t, "ddd").as_deref(), Ok("015"));
        assert_eq!(timespan_text(t, "d.HH:mm:ss").as_deref(), Ok("15.13:45:30"));
        assert_eq!(
            timespan_text(5 * 60 * 10_000_000, "H:m:s").as_deref(),
            Ok("0:5:0")
        );
        assert!(timespan_text(t, "hh").is_err());
        assert!(timespan_text(t, "fff").is_err());
        assert!(timespan_text(-1, "d").is_err());
    }

    #[test]
    fn refusals() {
        assert!(translation_steps("ab", "ba").is_err());
        assert!(translation_steps("aa", "xy").is_err());
        assert!(translation_steps("", "x").is_err());
        assert!(translation_steps("\u{1F600}", "x").is_err());
        // A character mapped to itself needs no step.
        assert_eq!(steps("ab", "ax"), vec![('b', "x".into())]);
    }
}
