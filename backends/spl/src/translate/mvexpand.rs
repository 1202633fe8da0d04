//! `mv-expand` → an index expansion: per row, the number of values each item gives (KQL's
//! rule: null one, an empty array none, an array its elements, another value itself), the
//! largest of them, `mvrange` of that many positions (capped by `limit`), `mvexpand` of the
//! positions, then each item's value at its position (`mvindex`; null past its end, as KQL
//! pads). `mvexpand` only ever sees a field with at least one value, so what Splunk does with
//! an empty or missing field never matters; the position is `with_itemindex`'s column.
//!
//! Where the array comes from:
//! - JSON from the event (`json_extract(_raw, "X")`, also for a copy `extend x = X` of the
//!   event's dynamic field, or a path into JSON text): its elements by
//!   `json_array_to_mv` — strings as themselves, objects and arrays as JSON text (read later with
//!   `json_extract`), numbers and booleans as text. Noted: a JSON null element is skipped, a
//!   property bag stays one row, and a *string* holding JSON array text is expanded like the
//!   array (KQL keeps it as one value);
//! - a multivalue field this pipeline made (`split`, `make_set`, `make_list`): its values.
//!
//! `mvexpand` truncates a chunk of results whose expansion passes its memory cap
//! (`max_mem_usage_mb`, 500 MB by default) with a warning: noted as a possible under-match.

use super::{Tx, TMP};
use crate::ast::{Command, Eval};
use kqlport::backend::Effect;
use kqlport::codes::BackendCode;
use kqlport::ir::facts::{Origin, Shape};
use kqlport::ir::{self, Expr, ExprKind};
use kqlport::source::Span;

/// How an item's values are held.
enum Source {
    /// JSON text (or a native scalar) in a helper field `j`, its elements in `v`; `fill` is
    /// the one value an empty array gives ([`ir::MvExpandItem::if_empty`]).
    Json {
        j: String,
        v: String,
        fill: Option<Eval>,
    },
    /// A multivalue field (split/make_set/make_list) in a helper field; `fill` as for `Json`
    /// (an empty array is a field with no value).
    Multi(String, Option<Eval>),
    /// `pack_array(a, b, …)`: the element at each position (nulls kept, as KQL keeps them).
    Pack(Vec<Eval>),
}

impl Tx {
    pub(super) fn mv_expand_stage(
        &mut self,
        m: &ir::MvExpand,
        span: Span,
        cmds: &mut Vec<Command>,
    ) {
        let mut first = Vec::new(); // j and v helpers
        let mut counts = Vec::new(); // n helpers
        let mut sources = Vec::new();
        let mut any_json = false;
        for item in &m.items {
            if self.check_cast(item).is_none() {
                return;
            }
            let Some(source) = self.item_source(item, &mut first, &mut counts) else {
                return;
            };
            any_json |= matches!(source, Source::Json { .. });
            sources.push(source);
        }
        let mut names = Vec::new();
        for item in &m.items {
            let Some(n) = self.name(&item.name.name, item.name.span) else {
                return;
            };
            names.push(n);
        }
        let index_name = match &m.index {
            Some(ix) => match self.name(&ix.name, ix.span) {
                Some(n) => Some(n),
                None => return,
            },
            None => None,
        };
        let row_name = match &m.per_row {
            Some(r) => match self.name(&r.name, r.span) {
                Some(n) => Some(n),
                None => return,
            },
            None => None,
        };
        if let Some(r) = &row_name {
            // mv-apply with summarize: each input row numbered, to be grouped back by it.
            cmds.push(Command::StreamCount(r.clone()));
        }
        let id = self.next_helper();
        let (total, pos) = (format!("{id}n"), format!("{id}i"));
        let total_value = match counts.as_slice() {
            [(one, _)] => Eval::Field(one.clone()),
            many => Eval::call(
                "max",
                many.iter().map(|(n, _)| Eval::Field(n.clone())).collect(),
            ),
        };
        let upto = match m.limit {
            Some(cap) => Eval::call(
                "min",
                vec![Eval::Field(total.clone()), num(&cap.to_string())],
            ),
            None => Eval::Field(total.clone()),
        };
        // mv-apply with summarize keeps a row with no value, once, as position 0 past the end
        // (its items null, as `mvindex` past the end gives, and its index null).
        let upto = match &row_name {
            Some(_) => Eval::call("max", vec![upto, num("1")]),
            None => upto,
        };
        let mut helpers: Vec<String> = first.iter().map(|(n, _)| n.clone()).collect();
        helpers.extend(counts.iter().map(|(n, _)| n.clone()));
        helpers.push(total.clone());
        helpers.push(pos.clone());
        let mut evals = first;
        evals.extend(counts);
        evals.push((total.clone(), total_value));
        cmds.push(Command::Eval(evals));
        if row_name.is_none() {
            cmds.push(Command::Where(Eval::bin(
                " > ",
                Eval::Field(total.clone()),
                num("0"),
            )));
        }
        cmds.push(Command::Eval(vec![(
            pos.clone(),
            Eval::call("mvrange", vec![num("0"), upto]),
        )]));
        cmds.push(Command::MvExpand {
            field: pos.clone(),
            limit: None,
        });
        let at = || Eval::Field(pos.clone());
        let mut values = Vec::new();
        for (name, src) in names.iter().zip(&sources) {
            values.push((name.clone(), element_at(src, &pos)));
        }
        if let Some(ix) = &index_name {
            let position = match &row_name {
                Some(_) => Eval::call(
                    "if",
                    vec![
                        Eval::bin(" < ", at(), Eval::Field(total.clone())),
                        at(),
                        Eval::call("null", vec![]),
                    ],
                ),
                None => at(),
            };
            values.push((ix.clone(), position));
        }
        cmds.push(Command::Eval(values));
        self.cleanup.extend(helpers);
        self.notes.push(
            span,
            Effect::UnderMatch,
            "Splunk's mvexpand truncates a chunk of results whose expansion passes its memory cap (max_mem_usage_mb, 500 MB by default) and says so in a warning: rows can be missing",
        );
        if any_json && row_name.is_some() {
            // mv-apply with summarize: every row comes out once; only what is aggregated differs.
            self.notes.push(
                span,
                Effect::Values,
                "the elements aggregated per row: a JSON null element is skipped in Splunk (json_array_to_mv), where KQL aggregates a null; a property bag is one element, where KQL takes each property; a string holding JSON array text (\"[1,2]\") gives the array's elements, where KQL takes the string as one element",
            );
        } else if any_json {
            self.notes.push(
                span,
                Effect::UnderMatch,
                "a JSON null element of an array gives no row in Splunk (json_array_to_mv skips it), where KQL gives a row with a null; and a property bag stays one row, where KQL gives one row per property",
            );
            self.notes.push(
                span,
                Effect::OverMatch,
                "a value that is a string holding JSON array text (\"[1,2]\") is expanded like the array in Splunk, where KQL keeps the string as one value; an empty property bag gives a row in Splunk and none in KQL",
            );
        }
        let new: Vec<&String> = m
            .items
            .iter()
            .map(|i| &i.name.name)
            .chain(m.index.iter().map(|c| &c.name))
            .collect();
        for n in new {
            self.json_valued.retain(|x| x != n);
        }
        for i in &m.items {
            self.json_valued.push(i.name.name.clone());
        }
    }

    /// `to typeof(t)`: noted where Splunk keeps the element's text, refused where which
    /// elements KQL keeps depends on the JSON type.
    fn check_cast(&mut self, item: &ir::MvExpandItem) -> Option<()> {
        let Some(t) = item.to else {
            return Some(());
        };
        match t {
            ir::ValueType::Dynamic => {}
            // Already strings: a split() array, or pack_array of string columns.
            ir::ValueType::String if self.strings_only(item) => {}
            ir::ValueType::String
            | ir::ValueType::Long
            | ir::ValueType::Int
            | ir::ValueType::Real => self.notes.push(
                item.expr.span,
                Effect::Values,
                kqlport_kit::notes::mv_expand_cast(t, "Splunk keeps the element's text"),
            ),
            _ => {
                self.refuse_mv(
                    item.expr.span,
                    &format!(
                        "`to typeof({})`: Splunk's values are text, and which ones KQL keeps depends on the JSON type",
                        t.kql_name()
                    ),
                );
                return None;
            }
        }
        Some(())
    }

    /// Where an item's values come from, with the helper fields that hold them (`first`) and
    /// their count per row (`counts`).
    fn item_source(
        &mut self,
        item: &ir::MvExpandItem,
        first: &mut Vec<(String, Eval)>,
        counts: &mut Vec<(String, Eval)>,
    ) -> Option<Source> {
        if let Some(pack) = &item.pack {
            let mut elems = Vec::new();
            for e in pack {
                elems.push(self.pack_element(e)?);
            }
            let id = self.next_helper();
            counts.push((format!("{id}n"), num(&elems.len().to_string())));
            return Some(Source::Pack(elems));
        }
        // An extract_all() column: no field is KQL's null, which gives one row (a null value).
        let matches = matches!(&item.expr.kind, ExprKind::Field(f)
            if f.is_plain() && self.is_matches_col(&f.column));
        let multi = matches
            || self.is_split(&item.expr)
            || super::arrays::is_array_function(&item.expr)
            || matches!(&item.expr.kind, ExprKind::Field(f)
                if f.is_plain() && self.is_mv_col(&f.column));
        let value = if multi {
            self.array_ok = true;
            let v = self.expr(&item.expr);
            self.array_ok = false;
            v
        } else {
            self.json_of(&item.expr)
        };
        let value = value?;
        // As text, as the other elements are (`json_array_to_mv` and stats values give text).
        let fill = match &item.if_empty {
            None => None,
            Some(ir::Literal::String(s)) => Some(Eval::str(s.clone())),
            Some(ir::Literal::Long(n)) => Some(Eval::str(n.to_string())),
            Some(_) => {
                self.refuse_mv(
                    item.expr.span,
                    "the value an empty array is replaced by is neither a string nor an integer",
                );
                return None;
            }
        };
        let id = self.next_helper();
        let n = format!("{id}n");
        if multi {
            let v = format!("{id}v");
            first.push((v.clone(), value));
            let none = if fill.is_some() || matches { "1" } else { "0" };
            counts.push((
                n.clone(),
                Eval::call(
                    "coalesce",
                    vec![
                        Eval::call("mvcount", vec![Eval::Field(v.clone())]),
                        Eval::Num(none.into()),
                    ],
                ),
            ));
            Some(Source::Multi(v, fill))
        } else {
            let (j, v) = (format!("{id}j"), format!("{id}v"));
            first.push((j.clone(), value));
            first.push((
                v.clone(),
                Eval::call("json_array_to_mv", vec![Eval::Field(j.clone())]),
            ));
            let mut arms = vec![
                isnull(&j),
                num("1"),
                Eval::call("isnotnull", vec![Eval::Field(v.clone())]),
                Eval::call("mvcount", vec![Eval::Field(v.clone())]),
            ];
            if fill.is_some() {
                arms.extend([is_empty_array_text(&j), num("1")]);
            }
            arms.extend([
                is_array_text(&j),
                num("0"),
                Eval::call("true", vec![]),
                num("1"),
            ]);
            counts.push((n.clone(), Eval::call("case", arms)));
            Some(Source::Json { j, v, fill })
        }
    }

    /// The JSON an item expands: a column or path read as JSON text (never Splunk's
    /// flattened `X.a` field, missing when it holds an array), else the expression's value.
    fn json_of(&mut self, e: &Expr) -> Option<Eval> {
        match &e.kind {
            ExprKind::Field(fp) => match self.copied_event_field(fp) {
                // `extend x = X` of the event's dynamic field `X` holds X's JSON: the copy's
                // Splunk field is `X`'s extracted value (none for an array, whose values
                // Splunk extracts as `X{}`), so X is read from the event, as `mv-expand X`
                // reads it.
                Some(source) => self.json_value(&source, e.span),
                None => self.json_value(fp, e.span),
            },
            _ => self.expr(e),
        }
    }

    /// The event field a plain column is a copy of, as it is ([`Shape::Member`] of a plain
    /// field, from the column facts), while that field is still the event's own.
    fn copied_event_field(&self, fp: &ir::FieldPath) -> Option<ir::FieldPath> {
        if !fp.is_plain() || fp.parsed {
            return None;
        }
        match self.cols.shape(&fp.column) {
            Shape::Member(source)
                if source.is_plain()
                    && !source.parsed
                    && source.column != fp.column
                    && self.cols.origin(&source.column) == Origin::Event =>
            {
                Some(source)
            }
            _ => None,
        }
    }

    fn strings_only(&self, item: &ir::MvExpandItem) -> bool {
        match &item.pack {
            Some(pack) => pack.iter().all(|e| self.string_column(e)),
            None => {
                self.is_split(&item.expr)
                    || matches!(&item.expr.kind, ExprKind::Field(f)
                        if f.is_plain() && self.is_matches_col(&f.column))
            }
        }
    }

    /// A plain string column of the event (KQL: never null, `""` when missing).
    fn string_column(&self, e: &Expr) -> bool {
        matches!(&e.kind, ExprKind::Field(f)
            if f.is_plain()
                && !f.parsed
                && self.origin_of(&f.column).is_none()
                && kqlport::schema::column_type(&self.table, &f.column)
                    == Some(kqlport::schema::ColumnType::String))
    }

    /// An element of `pack_array(…)`: a string column of the event reads as `""` when
    /// missing, as KQL's strings do (a null element is only kept for other types).
    fn pack_element(&mut self, e: &Expr) -> Option<Eval> {
        let v = self.expr(e)?;
        Some(if self.string_column(e) {
            Eval::call("coalesce", vec![v, Eval::str("")])
        } else {
            v
        })
    }

    pub(super) fn next_helper(&mut self) -> String {
        self.helpers += 1;
        format!("{TMP}m{}", self.helpers)
    }

    fn refuse_mv(&mut self, span: Span, msg: &str) {
        self.refuse(
            BackendCode::B070,
            span,
            &format!("this mv-expand has no exact SPL form: {msg}"),
            "not translated",
            "expand the values in Splunk with spath and mvexpand",
        );
    }
}

/// An item's value at the expansion's position (the field `pos`): null past its end, as KQL
/// pads the shorter arrays.
fn element_at(src: &Source, pos: &str) -> Eval {
    let at = || Eval::Field(pos.to_string());
    match src {
        Source::Multi(v, None) => Eval::call("mvindex", vec![Eval::Field(v.clone()), at()]),
        // No value at all: the fill at position 0, null past it (another item is longer).
        Source::Multi(v, Some(fill)) => Eval::call(
            "case",
            vec![
                Eval::call("isnotnull", vec![Eval::Field(v.clone())]),
                Eval::call("mvindex", vec![Eval::Field(v.clone()), at()]),
                Eval::bin("==", at(), num("0")),
                fill.clone(),
                Eval::call("true", vec![]),
                Eval::call("null", vec![]),
            ],
        ),
        Source::Pack(elems) => {
            let mut arms = Vec::new();
            for (k, e) in elems.iter().enumerate() {
                arms.push(Eval::bin("==", at(), num(&k.to_string())));
                arms.push(e.clone());
            }
            arms.push(Eval::call("true", vec![]));
            arms.push(Eval::call("null", vec![]));
            Eval::call("case", arms)
        }
        Source::Json { j, v, fill } => {
            let mut arms = vec![
                isnull(j),
                Eval::call("null", vec![]),
                Eval::call("isnotnull", vec![Eval::Field(v.clone())]),
                Eval::call("mvindex", vec![Eval::Field(v.clone()), at()]),
            ];
            if let Some(fill) = fill {
                arms.extend([
                    Eval::And(vec![
                        is_empty_array_text(j),
                        Eval::bin("==", at(), num("0")),
                    ]),
                    fill.clone(),
                ]);
            }
            arms.extend([
                is_array_text(j),
                Eval::call("null", vec![]),
                Eval::bin("==", at(), num("0")),
                Eval::Field(j.clone()),
                Eval::call("true", vec![]),
                Eval::call("null", vec![]),
            ]);
            Eval::call("case", arms)
        }
    }
}

/// JSON text of an empty array (`[]`, spaces allowed): the one case an `if_empty` value
/// replaces. An array of nulls only is no empty array (KQL gives a null row per element).
fn is_empty_array_text(f: &str) -> Eval {
    Eval::call(
        "match",
        vec![Eval::Field(f.to_string()), Eval::str(r"^\s*\[\s*\]\s*$")],
    )
}

fn num(n: &str) -> Eval {
    Eval::Num(n.to_string())
}

fn isnull(f: &str) -> Eval {
    Eval::call("isnull", vec![Eval::Field(f.to_string())])
}

/// JSON text of an array (empty, or of nulls only, when `json_array_to_mv` gave nothing).
fn is_array_text(f: &str) -> Eval {
    Eval::call(
        "match",
        vec![Eval::Field(f.to_string()), Eval::str(r"^\s*\[")],
    )
}
