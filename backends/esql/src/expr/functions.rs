//! ES|QL renderings of scalar functions added to the IR after the main table in `expr.rs`
//! (kept apart so each can be reviewed with its KQL and ES|QL semantics side by side).

use super::Cx;
use crate::ast::{BinOp, Expr};
use kqlport::backend::Effect;
use kqlport::ir::ScalarFn;
use kqlport::source::Span;

impl Cx {
    /// `text has term` with a term computed at query time. ES|QL regexes are literals, so the
    /// term cannot be placed in a pattern; instead both sides are normalised — missing is `""`,
    /// lower-cased for `has` (not `has_cs`), every run of non-alphanumerics made one space —
    /// and ` <term's words> ` is looked up with `LOCATE` in ` <text> `. For a term of
    /// alphanumerics only this is exactly KQL's whole-term test; punctuation inside or around a
    /// term is compared only as "some separator". A term with no alphanumerics has no edge to
    /// check, so `has` is a substring test there (`""` matches everything).
    pub(super) fn has_term(&mut self, func: ScalarFn, a: Vec<Expr>, span: Span) -> Expr {
        let Ok([text, term]) = <[Expr; 2]>::try_from(a) else {
            self.decline("B005", format!("{func:?} takes two arguments"), span);
            return Expr::Null;
        };
        let cs = func == ScalarFn::HasTermCs;
        let text = Expr::call("COALESCE", vec![text, Expr::Str(String::new())]);
        let term = Expr::call("COALESCE", vec![term, Expr::Str(String::new())]);
        let words = |e: Expr| {
            let (e, class) = if cs {
                (e, "[^A-Za-z0-9]+")
            } else {
                (Expr::call("TO_LOWER", vec![e]), "[^a-z0-9]+")
            };
            Expr::call(
                "REPLACE",
                vec![e, Expr::Str(class.into()), Expr::Str(" ".into())],
            )
        };
        let padded = |e: Expr| {
            Expr::call(
                "CONCAT",
                vec![Expr::Str(" ".into()), e, Expr::Str(" ".into())],
            )
        };
        let term_words = Expr::call("TRIM", vec![words(term.clone())]);
        let whole_terms = Expr::bin(
            Expr::call(
                "LOCATE",
                vec![padded(words(text.clone())), padded(term_words.clone())],
            ),
            BinOp::Gt,
            Expr::Int(0),
        );
        let substring = Expr::or(vec![
            Expr::bin(term.clone(), BinOp::Eq, Expr::Str(String::new())),
            Expr::bin(
                Expr::call("LOCATE", vec![text, term]),
                BinOp::Gt,
                Expr::Int(0),
            ),
        ]);
        let msg = "has with a term computed at query time: ES|QL cannot build a regex at run \
                   time, so text and term are compared with every run of non-alphanumerics \
                   (punctuation, non-ASCII letters) as one space: a term with such characters \
                   (a.b) also matches others there (a-b, a..b), and TO_LOWER folds non-ASCII \
                   letters, which KQL does not (more rows for has, fewer for !has); exact for a \
                   term of ASCII letters and digits";
        self.notes.push(span, Effect::OverMatch, msg);
        self.notes.push(span, Effect::UnderMatch, msg);
        Expr::call(
            "CASE",
            vec![
                Expr::bin(term_words, BinOp::Eq, Expr::Str(String::new())),
                substring,
                whole_terms,
            ],
        )
    }
}
