//! The translator's state (`Cx`): notes, refusals, and what it keeps about the columns.
//!
//! Also saves and restores the per-pipeline part around a join's right side.

use kqlport::backend::Notes;
use kqlport::codes::Code;
use kqlport::diag::Diagnostic;
use kqlport::ir;
use kqlport::source::Span;
use std::collections::HashMap;

/// What a translation collects on its way: approximation notes and refusals, the column facts
/// of the stage at hand (`cols`), and ES|QL's own state: how it spells a column standing for a
/// dynamic value held elsewhere (see [`Spelling`]), the document `_id`, lookup fields.
#[derive(Default)]
pub struct Cx {
    pub notes: Notes,
    pub errors: Vec<Diagnostic>,
    /// How ES|QL spells the columns assigned a dynamic path (`extend j = parse_json(X)`,
    /// `extend u = X.user`): a path into them (`j.a`) is read from the source field (`X.a`),
    /// since ES|QL has no object values and `EVAL j = X` copies no sub-fields. Target state,
    /// not a column fact: that `j` holds `X` as it is is [`ir::facts::Shape::Member`] in `cols`;
    /// this records which ES|QL field stands for it, and whether that field is still in the
    /// ES|QL pipeline (it is not after `KEEP`/`DROP`/`STATS`, where KQL's `j` still is).
    pub spellings: HashMap<String, Spelling>,
    /// The document `_id` is no longer a column (after KEEP, STATS…).
    pub id_gone: bool,
    /// The query reads `_id`: `FROM … METADATA _id`.
    pub metadata_id: bool,
    /// What the core knows of each column here ([`ir::facts::Scope`], as `lower_query` reads
    /// it): set before each stage, stepped after each assignment of an `extend` (see
    /// [`Cx::split_column`], [`Cx::url_column`]).
    pub cols: ir::facts::Scope,
    /// Comment lines printed above the query (`//`), e.g. how to build a lookup index.
    pub preamble: Vec<String>,
    /// Dotted fields read for a dynamic member (`X.a.b`, no index) since the last look: such a
    /// member may hold an array, which ES|QL reads as a multivalued field (see `str_match`).
    pub members_read: Vec<String>,
    /// The source table of the pipeline being lowered: a plain column its schema types
    /// `dynamic` may hold an array too.
    pub table: String,
    /// The table's field-mapping pipeline, for the schema's types under mapped names.
    pub target: Option<kqlport::ir::TargetSource>,
    /// Set while a filter's predicate is lowered: a test that turns null then loses the row;
    /// elsewhere (`extend`, aggregates) it changes a value.
    pub filtering: bool,
    /// The fields the pipeline's joins brought in under their own names so far
    /// ([`crate::stored::lookup_fields`]): `LOOKUP JOIN` overwrites a column of that name, so
    /// it no longer holds the source table's field (see [`Cx::stored_type`]). Target state:
    /// whether a column is still the event's field otherwise is read from `cols`.
    pub lookup_fields: std::collections::HashSet<String>,
    /// The joins the KQL wrote as `rightsemi`/`rightanti`, translated as the mirrored left
    /// join ([`ir::Mirrored`]): their notes and refusals name the KQL's sides.
    pub mirrored: Vec<(Span, ir::JoinKind)>,
    /// While a filter's predicate is lowered: the subquery tests inside its `or`s/`not`s (by
    /// span) and the marker column a marking LOOKUP JOIN set on the rows whose value the
    /// subquery's list holds (`subquery.rs`).
    pub subquery_marks: Vec<(Span, String)>,
}

/// The per-pipeline part of [`Cx`], set aside while another pipeline (a join's right side) is
/// lowered with the same notes and refusals.
pub struct PipelineState {
    spellings: HashMap<String, Spelling>,
    id_gone: bool,
    metadata_id: bool,
    cols: ir::facts::Scope,
    table: String,
    target: Option<kqlport::ir::TargetSource>,
    lookup_fields: std::collections::HashSet<String>,
}

impl Cx {
    /// Takes the per-pipeline state, leaving a fresh one.
    pub fn take_pipeline(&mut self) -> PipelineState {
        PipelineState {
            spellings: std::mem::take(&mut self.spellings),
            id_gone: std::mem::take(&mut self.id_gone),
            metadata_id: std::mem::take(&mut self.metadata_id),
            cols: std::mem::take(&mut self.cols),
            table: std::mem::take(&mut self.table),
            target: self.target.take(),
            lookup_fields: std::mem::take(&mut self.lookup_fields),
        }
    }

    /// Puts back a state taken with [`Cx::take_pipeline`].
    pub fn restore_pipeline(&mut self, s: PipelineState) {
        self.spellings = s.spellings;
        self.id_gone = s.id_gone;
        self.metadata_id = s.metadata_id;
        self.cols = s.cols;
        self.table = s.table;
        self.target = s.target;
        self.lookup_fields = s.lookup_fields;
    }
}

/// How ES|QL spells a column standing for a dynamic path of another column (formerly
/// "alias"): through that column's field.
#[derive(Clone, Debug)]
pub struct Spelling {
    pub target: ir::FieldPath,
    /// `true` when the column itself was never evaluated (a whole parsed column, which ES|QL has
    /// no value for): only paths into it can be read.
    pub virtual_only: bool,
    /// `false` once the source field may be gone from the ES|QL pipeline (KEEP, DROP, STATS…),
    /// so a path into the column can no longer be read from it.
    pub live: bool,
}

impl Cx {
    /// Takes on `inner`'s state (a union's first leg, whose column state the stages after the
    /// union continue from), keeping what was gathered before: this translator's notes, errors
    /// and materialisation queries, then every leg's notes (`leg_notes`) and `inner`'s
    /// materialisation queries after this one's.
    pub(crate) fn adopt(&mut self, inner: Cx, leg_notes: Vec<Notes>) {
        let outer_notes = std::mem::take(&mut self.notes);
        let outer_errors = std::mem::take(&mut self.errors);
        let mut preamble = std::mem::take(&mut self.preamble);
        *self = inner;
        self.notes.merge(outer_notes);
        for n in leg_notes {
            self.notes.merge(n);
        }
        self.errors.extend(outer_errors);
        preamble.append(&mut self.preamble);
        self.preamble = preamble;
    }

    pub fn decline(&mut self, code: impl Into<Code>, message: impl Into<String>, span: Span) {
        self.errors.push(crate::REFUSAL.error(code, message, span));
    }

    pub fn decline_help(
        &mut self,
        code: impl Into<Code>,
        message: impl Into<String>,
        span: Span,
        help: impl Into<String>,
    ) {
        self.errors
            .push(crate::REFUSAL.error(code, message, span).with_help(help));
    }

    /// A note on a computed value, its effect by whether it is in a `where`
    /// ([`kqlport_kit::notes::value`]).
    pub(crate) fn value_note(&mut self, span: Span, message: impl Into<String>) {
        kqlport_kit::notes::value(&mut self.notes, self.filtering, span, message);
    }
}
