//! Note texts several targets share: one KQL rule each, worded once, with the target's own
//! words (its name for a missing value's reading, its join) passed in. A backend decides *when*
//! a note holds; these say *what* it says and which [`Effect`] it has.

use kqlport::backend::{Effect, Notes};
use kqlport::ir::{CmpOp, ValueType};
use kqlport::source::Span;

/// A note on a computed value: within a `where` (`filtering`) the value decides which rows
/// pass, so a value that can differ can keep rows KQL drops and drop rows it keeps; elsewhere
/// only the value differs.
pub fn value(notes: &mut Notes, filtering: bool, span: Span, message: impl Into<String>) {
    let message = message.into();
    if filtering {
        notes.push(span, Effect::OverMatch, message.clone());
        notes.push(span, Effect::UnderMatch, message);
    } else {
        notes.push(span, Effect::Values, message);
    }
}

/// Comparing two values of unknown type with `op`: if they are strings KQL reads a missing one
/// as `""`, where the target has null. `target` names where the target's reading holds
/// (`"here"`, `"in Splunk"`); `ordered` is what the target's `<`/`<=`/`>`/`>=` gives for a
/// null operand (`"null"`, `"false"`).
pub fn unknown_type_comparison(
    notes: &mut Notes,
    span: Span,
    op: CmpOp,
    target: &str,
    ordered: &str,
) {
    const UNKNOWN: &str = "comparing two values of unknown type: if they are strings, KQL";
    let (effect, message) = match op {
        CmpOp::Eq => (
            Effect::UnderMatch,
            format!(
                "{UNKNOWN} reads a missing one as \"\", so two missing values, or a missing and an empty one, are equal; {target} a missing value is null and such rows are not returned"
            ),
        ),
        CmpOp::Ne => (
            Effect::OverMatch,
            format!(
                "{UNKNOWN} reads a missing one as \"\", so a missing value and an empty one are equal; {target} a missing value is null and such rows are returned"
            ),
        ),
        _ => (
            Effect::UnderMatch,
            format!(
                "{UNKNOWN} orders a missing one as \"\"; {target} a missing value is null, the comparison is {ordered} and such rows are not returned"
            ),
        ),
    };
    notes.push(span, effect, message);
}

/// A join that keeps both sides' columns, when a right-side column may share its name with a
/// left one the KQL does not fix: KQL keeps both and suffixes the right one, the target's join
/// `overwrites` (its wording, e.g. `"LOOKUP JOIN overwrites the left value with the lookup
/// one"`). `left_known`: the left rows' columns are known (then only unknown *right* columns can
/// clash); `certain_left`: the left columns known for sure; `right_cols`: the right side's
/// output columns, when its stages fix them.
pub fn join_name_clash(
    notes: &mut Notes,
    span: Span,
    left_known: bool,
    certain_left: &[String],
    right_cols: Option<&[String]>,
    overwrites: &str,
) {
    let unsure: Vec<String> = match (left_known, right_cols) {
        (true, Some(_)) => Vec::new(),
        (false, Some(r)) => r
            .iter()
            .filter(|c| !certain_left.contains(c))
            .map(|c| format!("`{c}`"))
            .collect(),
        (_, None) => vec!["any right-side column".to_string()],
    };
    if !unsure.is_empty() {
        notes.push(
            span,
            Effect::Values,
            format!(
                "if the left rows also have {} (a name the KQL does not fix), KQL keeps both and names the right one with a `1` suffix; {overwrites}",
                unsure.join(", ")
            ),
        );
    }
}

/// A case-insensitive test whose value has non-ASCII letters: KQL folds only ASCII case, the
/// target (`folds`: what it does and what follows, in its words) folds Unicode.
pub fn non_ascii_case(folds: &str) -> String {
    format!("a value contains non-ASCII letters: KQL folds only ASCII case, {folds}")
}

/// `mv-expand … to typeof(t)`: KQL casts each element (one that is not already a `t` is null);
/// the target `keeps` (its words) the element as it is.
pub fn mv_expand_cast(t: ValueType, keeps: &str) -> String {
    let t = t.kql_name();
    format!(
        "`to typeof({t})`: KQL makes an element that is not already a {t} null (a cast, not a conversion); {keeps}"
    )
}

/// An `externaldata` list read from a lookup (SPL) or index (ES|QL) the user filled from its
/// URL (`stored`: the target's word for it): KQL reads the URL at every run, the copy is a
/// snapshot, so rows can be missed and kept both.
pub fn stale_externaldata(notes: &mut Notes, span: Span, stored: &str) {
    let stale = format!(
        "KQL reads the URL each time the query runs, the {stored} is a snapshot: values added to the URL since it was filled are missed (under-match), values removed from it still match (over-match)"
    );
    notes.push(span, Effect::UnderMatch, stale.clone());
    notes.push(span, Effect::OverMatch, stale);
}

/// A row-picking aggregate (`arg_max`/`arg_min`, `take_any(*)`) in a `summarize` without `by`:
/// KQL's summarize without group keys returns one row even when no row reaches it (the
/// aggregates' empty-input values: nulls here), while keeping a row of the input returns none.
pub fn no_row_from_empty_input(notes: &mut Notes, span: Span) {
    notes.push(
        span,
        Effect::UnderMatch,
        "without `by`, KQL's summarize returns one (empty) row when no row reaches it; this returns none",
    );
}

/// `stdev()` over a group holding fewer than two values: the sample standard deviation
/// divides by n - 1, which is 0 for one value; what KQL and the target give there (0, null or
/// nothing) is not documented to agree. Groups of two values or more get the same value.
pub const STDEV_OF_ONE_VALUE: &str = "stdev is the sample standard deviation in KQL and here; \
     for a group with fewer than two values (n - 1 = 0) the value each gives (0 or null) may differ";

/// `x / y` where `y` is no non-zero constant: a zero divisor gives KQL's real infinities or NaN
/// (Kusto's `real` data type page: 1.0/0.0 is `real(+inf)`, 0.0/0.0 `real(nan)`), where both
/// executing targets give null (`target_null` says where: Splunk's eval command usage,
/// "Division by zero results in a null field"; ES|QL's operators, null with a warning).
pub fn zero_divisor(target_null: &str) -> String {
    format!(
        "where the divisor is 0, KQL's real division gives +inf, -inf or NaN (Kusto's real data \
         type), {target_null}"
    )
}

/// `round(x[, digits])`: every target rounds to the nearest value at `digits` decimals, but a
/// value exactly halfway between two (`2.5`, `-4.5`) is a tie whose direction (away from zero,
/// up, to even) neither Kusto's round() page nor Splunk's or Elastic's ROUND page states.
pub const ROUND_HALVES: &str =
    "round() gives the nearest value at the requested decimals here as in \
     KQL, but which way a value exactly halfway between two goes (away from zero, up, to even) is \
     documented by neither KQL nor this target";

/// `hash_sha256()`/`hash_md5()`: Microsoft's page shows the lower-case hex digest of an ASCII
/// text's bytes, which every target gives alike; which bytes a non-ASCII text is hashed as
/// (UTF-8 here) and what an empty or missing text gives are not documented.
pub const HASH_TEXT: &str =
    "the digest is that of the text's UTF-8 bytes, and an empty or missing text is hashed as \
     the empty text; KQL documents neither which bytes it hashes for a non-ASCII text nor what \
     it gives for an empty one";

/// Whether a divisor is a constant other than 0 (a division by it needs no zero-divisor note).
pub fn nonzero_constant(divisor: &kqlport::ir::Expr) -> bool {
    use kqlport::ir::{ExprKind, Literal};
    match &divisor.kind {
        ExprKind::Literal(Literal::Long(n)) => *n != 0,
        ExprKind::Literal(Literal::Real(r)) => *r != 0.0,
        ExprKind::Literal(Literal::Timespan(d)) => d.ticks != 0,
        ExprKind::Neg(x) => nonzero_constant(x),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(f: impl FnOnce(&mut Notes)) -> Vec<(Effect, String)> {
        let mut notes = Notes::default();
        f(&mut notes);
        match notes.into_fidelity() {
            kqlport::backend::Fidelity::Exact => Vec::new(),
            kqlport::backend::Fidelity::Approximate(v) => {
                v.into_iter().map(|n| (n.effect, n.message)).collect()
            }
        }
    }

    #[test]
    fn a_filtering_value_note_misfilters_both_ways() {
        let effects: Vec<Effect> = one(|n| value(n, true, Span::default(), "v"))
            .into_iter()
            .map(|(e, _)| e)
            .collect();
        assert_eq!(effects, [Effect::OverMatch, Effect::UnderMatch]);
    }

    #[test]
    fn an_ordering_comparison_names_the_targets_null_result() {
        let got = one(|n| unknown_type_comparison(n, Span::default(), CmpOp::Lt, "here", "null"));
        assert_eq!(got[0].0, Effect::UnderMatch);
        assert!(
            got[0].1.ends_with("here a missing value is null, the comparison is null and such rows are not returned"),
            "{got:?}"
        );
    }

    #[test]
    fn a_join_clash_is_silent_when_both_sides_columns_are_known() {
        let left = vec!["a".to_string()];
        let right = vec!["b".to_string()];
        assert!(
            one(|n| join_name_clash(n, Span::default(), true, &left, Some(&right), "x")).is_empty()
        );
        let got = one(|n| join_name_clash(n, Span::default(), false, &left, Some(&right), "x"));
        assert!(
            got[0].1.starts_with("if the left rows also have `b` "),
            "{got:?}"
        );
    }

    #[test]
    fn only_a_nonzero_constant_divisor_needs_no_zero_divisor_note() {
        use kqlport::ir::{Duration, Expr, ExprKind, FieldPath, Literal};
        let e = |kind| Expr {
            kind,
            span: Span::new(0, 0),
        };
        let lit = |l| e(ExprKind::Literal(l));
        assert!(nonzero_constant(&lit(Literal::Long(7))));
        assert!(nonzero_constant(&lit(Literal::Real(0.5))));
        assert!(nonzero_constant(&lit(Literal::Timespan(Duration {
            ticks: 1
        }))));
        assert!(nonzero_constant(&e(ExprKind::Neg(Box::new(lit(
            Literal::Long(2)
        ))))));
        assert!(!nonzero_constant(&lit(Literal::Long(0))));
        assert!(!nonzero_constant(&lit(Literal::Real(0.0))));
        assert!(!nonzero_constant(&e(ExprKind::Field(FieldPath::column(
            "n"
        )))));
    }
}
