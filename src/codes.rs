//! The registry of every diagnostic code kqlport raises, as types: one enum per family (the
//! stage or target that raises it), each variant documented with its one-line meaning and its
//! long explanation (`kqlport explain --code`). Raise sites name a variant
//! (`Diagnostic::error(EqlCode::B062, …)`), never a string; [`Code`] is the union every
//! diagnostic carries, printed and serialised as the code text (`"B062"`).
//!
//! Everything here is generated from the one table at the bottom of this file by `codes!`, so
//! a code's meaning is written once. A code listed in two families is a compile error (its
//! [`Code`] variant would be defined twice), and so is a code whose letter is not its family's.
//! `docs/codes.md` is generated from [`CODES`]; `tests/codes_registry.rs` checks that every
//! variant is raised somewhere outside tests, only from where its family lives, and that the
//! page and the code-list snapshot are up to date.

use std::fmt::{self, Write as _};

/// Who raises a code. A code belongs to exactly one family and means one thing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    /// `I`: reading inputs and writing outputs (the loader and the CLI).
    Input,
    /// `Y`: loading Sentinel rule YAML.
    Rule,
    /// `P`: parsing KQL.
    Parse,
    /// `L`: lowering the AST to the detection IR (and the column check).
    Lowering,
    /// `B`: raised the same way by every backend.
    Backends,
    /// `B`: the Splunk SPL backend.
    Spl,
    /// `B`: the Elastic ES|QL backend.
    Esql,
    /// `B`: the Elastic EQL backend.
    Eql,
    /// `B`: the Sigma backend.
    Sigma,
}

impl Family {
    pub fn name(self) -> &'static str {
        match self {
            Family::Input => "input/output",
            Family::Rule => "rule loading",
            Family::Parse => "parsing",
            Family::Lowering => "lowering",
            Family::Backends => "all backends",
            Family::Spl => "SPL backend",
            Family::Esql => "ES|QL backend",
            Family::Eql => "EQL backend",
            Family::Sigma => "Sigma backend",
        }
    }

    /// The first letter of the family's codes.
    pub const fn letter(self) -> u8 {
        match self {
            Family::Input => b'I',
            Family::Rule => b'Y',
            Family::Parse => b'P',
            Family::Lowering => b'L',
            Family::Backends | Family::Spl | Family::Esql | Family::Eql | Family::Sigma => b'B',
        }
    }
}

/// One registered code, as `explain --code --format json` prints it.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct CodeInfo {
    pub code: &'static str,
    pub family: Family,
    /// One line: what the code means.
    pub summary: &'static str,
    /// What triggers it, why, and what to do about it.
    pub explanation: &'static str,
}

/// Looks a code up, case-insensitively (`b030` finds `B030`).
pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    CODES.iter().find(|c| c.code.eq_ignore_ascii_case(code))
}

impl Code {
    /// The registry entry of this code.
    pub fn info(self) -> &'static CodeInfo {
        &CODES[self as usize]
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Serialised as its text (`"B062"`), as the JSON reports have always shown it.
impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The reference page `docs/codes.md`, generated from [`CODES`] (listed by stage, then code).
pub fn reference_markdown() -> String {
    let mut codes: Vec<&CodeInfo> = CODES.iter().collect();
    codes.sort_by_key(|c| (stage_rank(c.code), c.code));
    let mut s = String::from(
        "# Diagnostic codes\n\n\
         <!-- Generated from src/codes.rs by `cargo test --test codes_registry` \
         (set KQLPORT_BLESS=1 to rewrite); do not edit by hand. -->\n\n\
         Every diagnostic kqlport prints carries one of these codes. The first letter is the \
         stage: `I` input/output, `Y` rule loading (YAML), `P` parsing, `L` lowering, `B` a \
         backend. `kqlport explain --code CODE` prints one entry.\n\n\
         | code | family | meaning |\n|------|--------|---------|\n",
    );
    for c in &codes {
        let _ = writeln!(
            s,
            "| [{0}](#{1}) | {2} | {3} |",
            c.code,
            c.code.to_ascii_lowercase(),
            c.family.name().replace('|', "\\|"),
            c.summary.replace('|', "\\|")
        );
    }
    for c in &codes {
        let _ = write!(
            s,
            "\n## {}\n\n*{}* — {}\n\n{}\n",
            c.code,
            c.family.name(),
            c.summary,
            c.explanation
        );
    }
    s
}

/// Where a code's stage comes in the pipeline (`I`, `Y`, `P`, `L`, `B`).
fn stage_rank(code: &str) -> usize {
    "IYPLB".find(&code[..1]).unwrap_or(usize::MAX)
}

/// Generates, from one table of families and their codes: an enum per family (a variant per
/// code, documented with its summary and explanation), the union [`Code`] with its text and
/// family, the conversions, and [`CODES`].
macro_rules! codes {
    ($(
        $(#[doc = $fdoc:literal])*
        $fam:ident $Enum:ident {
            $( $code:ident $summary:literal $expl:literal ; )*
        }
    )*) => {
        $(
            $(#[doc = $fdoc])*
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
            pub enum $Enum {
                $( #[doc = $summary] #[doc = ""] #[doc = $expl] $code, )*
            }

            impl $Enum {
                /// The family every code of this enum belongs to.
                pub const FAMILY: Family = Family::$fam;
                /// Every code of the family, in order.
                pub const ALL: &'static [$Enum] = &[$($Enum::$code),*];

                /// As the union of all codes.
                pub const fn code(self) -> Code {
                    match self { $( $Enum::$code => Code::$code, )* }
                }

                /// The code's text (`"B062"`).
                pub const fn as_str(self) -> &'static str {
                    self.code().as_str()
                }
            }

            impl From<$Enum> for Code {
                fn from(c: $Enum) -> Code {
                    c.code()
                }
            }

            impl PartialEq<$Enum> for Code {
                fn eq(&self, other: &$Enum) -> bool {
                    *self == other.code()
                }
            }

            impl fmt::Display for $Enum {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str(self.as_str())
                }
            }
        )*

        impl Family {
            /// The enum that holds the family's codes (`"SplCode"`).
            pub const fn enum_name(self) -> &'static str {
                match self { $( Family::$fam => stringify!($Enum), )* }
            }
        }

        /// Any diagnostic code: the union of the family enums, one variant per code (a code
        /// written in two families is defined twice here, which does not compile). Build one
        /// from a family's variant (`EqlCode::B062.into()`); compare with one directly
        /// (`d.code == LowerCode::L023`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($( #[doc = $summary] $code, )*)*
        }

        impl Code {
            /// The code's text (`"B062"`), as printed and serialised.
            pub const fn as_str(self) -> &'static str {
                match self { $($( Code::$code => stringify!($code), )*)* }
            }

            /// The family that raises the code.
            pub const fn family(self) -> Family {
                match self { $($( Code::$code => Family::$fam, )*)* }
            }
        }

        /// Every code, family by family (in the order of [`Code`]'s variants).
        pub const CODES: &[CodeInfo] = &[
            $($( CodeInfo {
                code: stringify!($code),
                family: Family::$fam,
                summary: $summary,
                explanation: $expl,
            }, )*)*
        ];
    };
}

/// Every code's letter is its family's, and `CODES` follows `Code`: checked when compiling.
const _: () = {
    let mut i = 0;
    while i < CODES.len() {
        let c = &CODES[i];
        assert!(
            c.code.as_bytes()[0] == c.family.letter(),
            "a code's letter is not its family's"
        );
        i += 1;
    }
};

codes! {
    /// Codes `I…`: reading inputs and writing outputs (the loader and the CLI).
    Input InputCode {
        I001 "the file is not valid UTF-8"
            "The file holds a byte sequence that is not UTF-8; the error points at the first such byte. \
             KQL and Sentinel YAML are text; re-save the file as UTF-8.";
        I002 "the file looks binary (it contains a NUL byte)"
            "A NUL byte is never part of a KQL query or a rule file, so the file is taken for binary and \
             not read further.";
        I003 "no query found: the file is empty or only whitespace"
            "The file holds nothing to translate. Every input yields an output or a reported error, so \
             an empty file is reported rather than skipped.";
        I010 "cannot read an input (missing, unreadable, or a dangling or looping link)"
            "The path could not be opened or read, or a symbolic link under a directory argument points \
             nowhere or loops. The other inputs are still processed.";
        I011 "an input is not a regular file"
            "A FIFO, socket, device or directory named where a file is read is refused without \
             blocking. Pipe such a source through `-` (standard input) instead.";
        I012 "an input is over the 16 MiB limit"
            "Inputs, including standard input, are capped at 16 MiB so a runaway file cannot exhaust \
             memory. Real rules are a few kilobytes.";
        I013 "cannot write an output file"
            "The translation could not be written (permissions, a missing or read-only directory, a \
             full disk). Outputs are written atomically, so no partial file is left behind.";
        I014 "two outputs, or an output and an input, would share one path"
            "Two translations map to the same output file, or an output would overwrite an input. \
             Nothing is silently overwritten; rename an input or choose another output directory.";
        I020 "the translation cannot be written in the requested rule-file format"
            "`convert --format splunk|elastic` wraps each translation in a rule file. A savedsearches.conf \
             value continues on the next line only through a trailing backslash, so a search whose \
             string literal holds a line break next to whitespace, an empty line or a trailing \
             backslash cannot be written there without changing it; it is refused rather than \
             altered. The translation is still printed with `--report json`; `--format query` writes \
             it as is.";
    }
    /// Codes `Y…`: loading Sentinel rule YAML and pipeline files.
    Rule RuleCode {
        Y001 "invalid YAML, or not exactly one YAML document"
            "The rule file does not parse as YAML, or holds several documents (`---`). A Sentinel rule \
             is one YAML mapping.";
        Y002 "no `query` field, or it is not a string"
            "An analytic rule or hunting query keeps its KQL in the `query` field. The document is not \
             a mapping, has no `query`, or its `query` is not text.";
        Y003 "a duplicate key in a YAML mapping"
            "YAML mapping keys must be unique; which value a Sentinel import would keep is not \
             something a translator should guess. Remove or rename one of them; the note shows where \
             the key was first defined.";
        Y004 "a rule field does not fit the Sentinel rule model"
            "A known field (severity, tactics, queryPeriod, …) has a value of the wrong shape, for \
             example a list where a string is expected.";
        Y005 "positions inside this query may be approximate (warning)"
            "The YAML scalar holding the query could not be re-scanned exactly (an unusual quoting or \
             folding style), so line and column numbers inside the query may be off.";
        Y006 "the YAML exceeds a size or nesting limit"
            "kqlport caps YAML nesting depth, anchors and aliases so a hostile file (a YAML bomb) \
             cannot exhaust memory. A real rule needs only a few levels.";
        Y007 "no KQL query found in a loaded file"
            "The file loaded, but yielded no query to translate or check (for example a Markdown file \
             without a ```kql block).";
        Y010 "a field-mapping pipeline file has a key or value of the wrong shape"
            "A pipeline file (`-p FILE`) is a mapping with `name`, `description`, `unmapped`, \
             `unmapped_tables` and `tables`; each table has `from`, `splunk`, `elastic_index`, \
             `eql_category`, `logsource`, `where` and `fields`, each field rule a target field name or \
             a mapping with `field`, `note`, `effect`, `values`, `lowercase` and `others`. Policies are \
             `keep`, `note` or `decline`; effects `over-match`, `under-match` or `values`.";
        Y011 "a pipeline file names a table or column kqlport does not know"
            "Pipelines map Sentinel / Defender XDR tables and their columns, by their exact \
             (case-sensitive) names from kqlport's schema. A misspelt name would silently map nothing, \
             so it is an error.";
        Y012 "a pipeline file maps a column twice, or two columns onto one field"
            "Each column (or column path) has one rule, and a target field stands for one column: two \
             columns mapped onto one field would make a query that compares them compare a field \
             with itself. The error shows where the first mapping is.";
    }
    /// Codes `P…`: parsing KQL.
    Parse ParseCode {
        P001 "the query is empty"
            "The query text holds no statement. A query needs at least one, e.g. `SecurityEvent | take 10`.";
        P002 "an unterminated string literal"
            "A string literal opened with a quote is not closed before the end of the line or query.";
        P003 "an unbalanced or mismatched bracket"
            "A `(`, `[` or `{` is never closed, a closing bracket has no opening one, or it closes a \
             bracket of another kind; the error points at the offending bracket.";
        P004 "the query nests too deeply to parse"
            "Parentheses, unary signs or operators nest beyond kqlport's depth limit, which keeps \
             parsing from overflowing the stack.";
        P005 "the query is too complex to parse"
            "The parser's work budget was exhausted; simplify or split the query.";
        P006 "an unknown or missing tabular operator after `|`"
            "After a pipe KQL expects a tabular operator (`where`, `project`, `summarize`, …). The word \
             found is not one kqlport's grammar knows.";
        P007 "an expression was expected"
            "An operator or argument position needs an expression, and something else (or nothing) \
             was found.";
        P008 "an unclosed parenthesis in an argument list"
            "A `(` opened a call or a list and no matching `,` or `)` followed; the note points at the \
             opening parenthesis.";
        P009 "a syntax error: something else was expected here"
            "The generic parse error: the message says what the grammar expected and what it found.";
        P010 "a `;` is missing between statements"
            "Two statements follow each other without `;`. KQL separates `let` statements and the \
             result statement with semicolons.";
        P011 "an unknown escape sequence in a string literal"
            "KQL string literals accept `\\\\`, `\\\"`, `\\'`, `\\n`, `\\t`, `\\r`, `\\0` and `\\uXXXX`-style \
             escapes; this one is none of them.";
        P012 "an escape that is no Unicode character"
            "The escape names a code point that is not a character, such as a lone surrogate \
             `\\uD800`.";
        P099 "internal parser error"
            "The parser failed in a way that should not happen (it panicked or built an impossible \
             tree). This is a kqlport bug; please report the query.";
    }
    /// Codes `L…`: lowering the AST to the detection IR (and the column check).
    Lowering LowerCode {
        L001 "`set` request options are not supported"
            "A `set` statement changes how Kusto runs the query; kqlport cannot carry that to a target.";
        L002 "the query has more than one result statement"
            "Only one tabular result per query can be translated into one detection.";
        L003 "no tabular result statement"
            "The query holds only `let` statements, or its result is not a tabular expression.";
        L004 "the query is too complex to translate"
            "Expression depth or `let` expansion exceeded kqlport's limits, which bound the work and \
             the size of the IR. Simplify the query, or split it.";
        L010 "the query source is not a table"
            "The query reads from a function, a watchlist, `externaldata`, another workspace or \
             cluster, or a union; only a single table can be translated. An ASIM parser called \
             with filtering parameters is its table and a filter per parameter; a parameter \
             kqlport does not know, or declines (its meaning is not documented exactly, or it \
             does more than filter), is refused at the argument.";
        L011 "a `let` used as the source is not tabular"
            "The name at the head of the query is a scalar or function `let`; only a table or a \
             tabular `let` can be the source.";
        L012 "an unsupported `project-rename`, `project-reorder` or `distinct` form"
            "Renaming an expression, `project-reorder` with a sort order, or `distinct *` (which \
             needs the table's full schema) are not modelled; name the columns.";
        L013 "a tabular operator that is not supported yet"
            "The operator has no lowering to the detection IR; the message lists the operators that \
             are supported.";
        L014 "a row count that is not a non-negative whole-number constant"
            "`take`/`limit`/`top` need a constant count kqlport can read.";
        L015 "tuple assignment is not supported"
            "`extend (a, b) = …` and similar tuple names are not modelled in the IR.";
        L020 "a tabular or function `let` used as a value"
            "A name bound to a table or a function cannot stand where a scalar value is expected, \
             unless a column of the operator's rows has that name: then it is the column (a \
             column shadows any `let`).";
        L021 "a tabular expression or `*` used as a value"
            "A subquery or `*` appears where a scalar is expected; these are not supported.";
        L022 "a constant cannot be read"
            "A numeric, datetime, timespan or typed literal (`int(…)`, `datetime(…)`) is malformed or \
             out of range.";
        L023 "member access or indexing on a computed value"
            "A `.member` or `[index]` applies to a value computed at query time (or the index itself is \
             computed), which is not a field path the targets can read.";
        L024 "named arguments to a built-in function"
            "KQL documents no parameter names for built-in functions, so what `name=value` means is \
             unknown; pass the arguments by position.";
        L025 "`ago()` needs a constant timespan"
            "The argument of `ago()` must be a timespan kqlport can see: a literal like `7d` or `1h`, \
             timespan arithmetic of literals and `let`s (folded to one), or a span computed from \
             datetimes such as `(endtime - starttime) * 7` (read as `now()` minus it). A name no \
             `let` binds, a datetime, or a value only the rows give is refused.";
        L026 "a function called with arguments it does not accept"
            "Wrong number, type or shape of arguments for a supported scalar function (for example \
             `bag_pack` keys and values not in pairs, or a non-constant argument that must be constant).";
        L027 "a scalar function that is not supported yet"
            "The function has no mapping to the detection IR.";
        L030 "testing every column (`*`) is not supported"
            "`* has \"x\"` searches all columns; name the column instead.";
        L031 "`like` or the term-search operator `:` is not supported"
            "Write the test with an explicit string operator, e.g. `Col has \"value\"`.";
        L032 "a string operator given other than one string value"
            "Operators such as `has`, `contains`, `startswith` take exactly one string on the right.";
        L033 "a string operator on a constant list"
            "KQL documents the left side of these operators as a column or scalar; a constant list on \
             either side has no defined meaning to translate.";
        L034 "an operator that is not a boolean test"
            "The operator used as a condition does not return a boolean.";
        L035 "a comparison with null"
            "Comparing with `null` is always false in KQL; write `isnull()`/`isempty()` instead.";
        L036 "an `in` list mixing strings and other values"
            "Mixed-type `in` lists compare differently per element in KQL; split the test.";
        L037 "`in` against a table or subquery"
            "`in (T)` tests membership in another query's rows; subqueries are not supported yet.";
        L038 "a bool compared with text by a string operator"
            "Kusto rejects this: only `==`, `!=`, `in` and `!in` compare a bool with text.";
        L040 "tuple names in `summarize` or on a `by` key"
            "`summarize (a, b) = arg_max(…)` and tuple names on a `by` key are not modelled in the IR.";
        L041 "the bin size must be a positive constant"
            "`bin(x, size)` in a `by` clause needs a positive constant size.";
        L042 "a `summarize` item that is not an aggregate"
            "Each item must be an aggregate such as `count()` or `make_set(x)`.";
        L043 "an aggregate with unsupported arguments or not supported yet"
            "The aggregate function, its argument count or an argument's form is not modelled in the IR.";
        L044 "an aggregate merging property bags"
            "`make_bag()` and similar merge dynamic objects into one; the IR has no object values \
             (ES|QL has none at all).";
        L050 "an unsupported join parameter or kind"
            "A join hint or parameter (other than `kind`) that kqlport does not model.";
        L051 "the join's right side is not a table or query"
            "The right side must be a table, a tabular `let` or a parenthesised query.";
        L052 "an unsupported join condition"
            "The join needs an `on` condition of column names or `$left.a == $right.b` equalities.";
        L053 "a regular expression RE2 (so KQL) refuses"
            "KQL uses RE2 syntax; the pattern is invalid there (for example a back-reference or a \
             look-around), so the KQL query itself would fail.";
        L060 "a name that is no column where it is used"
            "The columns are fixed by the query's own `project`/`summarize`/`distinct`/`count`/join at \
             this point and the name is not among them. Kusto rejects the query; this is an error.";
        L061 "a name missing from kqlport's schema of the table (warning)"
            "The column is not in kqlport's built-in schema for the table. The schema may lag the \
             real table, so this is only a warning.";
        L070 "an unsupported mv-expand form"
            "An mv-expand parameter, type or item naming kqlport does not model (for example tuple \
             names or an unknown `kind=`).";
        L071 "an unsupported parse form"
            "A parse pattern kqlport does not model yet: typed columns (`x:long`), `kind=regex` \
             (whether its columns match lazily, as Kusto's page says, or greedily, as duckdb-kql \
             does, is not pinned down), a column next to `*` or another column.";
        L080 "a `union` form that is not supported"
            "kqlport translates `union` of tables, wildcard table names (resolved against its schema), \
             parenthesised queries and tabular `let`s, as the source or as an operator, with \
             `withsource=` over legs written as table names and `isfuzzy=`. It refuses \
             `kind=inner`, `union *` (every table of the workspace), `withsource=` over a computed \
             leg or a parenthesised union (Kusto's docs do not give its name), a union leg that \
             is itself a union with an operator after it that cannot move into each inner leg \
             (row-wise operators and left-side joins are moved), and a later operator naming a column that two legs hold with \
             different types (KQL splits it into `name_type` columns).";
        L081 "a call of a query-defined function that cannot be inlined"
            "A function `let` of the query called where a table is expected is inlined (its \
             parameters bound to the arguments, `table(\"T\")` read as the table `T`). Refused: \
             arguments the parameters do not take, a missing argument without a default, recursion, \
             an argument naming something the function's own names hide, a body without a result, \
             `table()` of a value that is not a constant string.";
        L090 "the field-mapping pipeline has no mapping for a table or column, and its policy is `decline`"
            "A pipeline with `unmapped: decline` (columns) or `unmapped_tables: decline` (tables) \
             refuses a translation that uses a name it cannot map, rather than keep a Sentinel name \
             the target's data does not have. Add the column to a pipeline file (`-p FILE`) or \
             choose `keep` or `note`.";
        L091 "a column after a union that the pipeline maps to different fields in its legs"
            "A field-mapping pipeline maps each leg of a union by its own table. A column read after \
             the union that the legs' tables map to different fields (or that some legs compute) is \
             given one name: each leg renames its field to the column's KQL name before the legs \
             meet. Refused, rather than read a field some legs do not have, where no one name holds \
             it exactly: a leg's pipeline rewrites the column's values (a vocabulary, lower-casing, \
             a path's file name) or maps its members to fields of their own, or another column of \
             a leg already is the target's field of that name.";
        L100 "`render` was dropped (warning)"
            "`render` only chooses a chart; the rows are unchanged, so it is dropped with a note.";
        L101 "a lowering note shown by `explain --ir` (warning)"
            "Lowering made a choice that can change rows or values (an approximation); the note says \
             where and in which direction (over-match, under-match, values only).";
    }
    /// Codes `B…` raised the same way by every backend.
    Backends BackendCode {
        B030 "a join the target cannot express"
            "Every backend declines joins it cannot write exactly: kinds keeping right-only rows, \
             right sides that join again, or (EQL) any join at all.";
        B031 "a union the target cannot express"
            "SPL writes any union of tables and per-leg pipelines (one search, `multisearch` or \
             `append`). ES|QL writes a union as one `FROM a, b`: every leg running the same commands, or \
             legs of row-by-row operators (where, extend, project…) over tables it can tell apart \
             (by `_index`, or a pipeline's condition), folded into a test and a `CASE` per leg. \
             EQL and Sigma decline unions: one rule per leg is not the same rule.";
        B032 "a subquery (a list computed by a query) the target cannot express"
            "SPL tests `x in (subquery)` with a subsearch, between string values, as a whole `where` \
             condition or one of its `and` parts. ES|QL, EQL and Sigma have no subquery: a list \
             computed by a query at run time cannot be written in one query.";
        B070 "an mv-expand the target cannot hold"
            "The target has no exact form for this mv-expand: several columns zipped, \
             `with_itemindex`, `limit`, `to typeof(…)`, a property bag, or a value that is not an \
             array of the event (or an array this pipeline built). The message says which.";
        B071 "a parse the target cannot hold"
            "The target has no exact form for this parse (a regex it cannot port, a source it cannot \
             read as text). The message says which.";
        B072 "a value read on a neighbouring row the target cannot hold"
            "`next()`/`prev()` read a column on the row after or before this one, in the order \
             of a sorted row set. ES|QL, EQL and Sigma have no window function (no command that \
             reads another row than the current one, in order); SPL translates it with \
             `streamstats`.";
        B100 "an approximation note (warning)"
            "The translation may differ from the KQL: the note gives the KQL span and the direction \
             (over-match, under-match, same rows with other values, or order not kept). With \
             `--strict` it is an error.";
    }
    /// Codes `B…` of the Splunk SPL backend.
    Spl SplCode {
        B000 "internal error in the SPL translator"
            "A join reached the single-stage translator, which should never happen. This is a \
             kqlport bug; please report the query.";
        B010 "the table name cannot be written as a Splunk sourcetype"
            "The table name holds characters that cannot be written as a plain `sourcetype=` value.";
        B011 "a column name cannot be written as a Splunk field name"
            "Quotes, backslashes, backticks and control characters cannot be quoted in SPL field \
             names, and the `__kqlport_` prefix is reserved for the backend's helpers.";
        B013 "a dynamic path or array SPL cannot read"
            "A path with an empty key, into an event after `stats` or through a join's right side, \
             into a computed value other than `split(…)[i]`/`parse_url(…).Member`, or a `split` or \
             `make_set`/`make_list` result used in a way SPL's multivalue fields do not model.";
        B014 "a scalar function without a faithful `eval` spelling"
            "For example `base64_decode_tostring` or `url_encode` (eval has no decoder or encoder), \
             `datetime_diff` in calendar units, or `gettype`.";
        B015 "an `arg_max`/`arg_min` with no exact SPL form"
            "Two of them in one summarize pick different rows, which one SPL `stats` cannot do.";
        B016 "a regex that cannot be ported to PCRE"
            "Splunk's `regex`/`match` use PCRE; this RE2 pattern has no exact PCRE rewrite.";
        B017 "a bin size that is not a positive finite number"
            "`bin()` needs a positive finite size.";
        B018 "renames that swap or chain column names"
            "One SPL `rename` applies its pairs in order, so swapping or chaining names would not give \
             KQL's simultaneous rename.";
        B019 "a regex function argument SPL needs as a literal, or a rewrite it cannot write"
            "`replace_regex`, `extract` and similar need a literal pattern (and rewrite) for the SPL \
             backend, and a rewrite using `\\0`, `$` or an unknown escape cannot be written for \
             Splunk's `replace`.";
        B020 "a datetime literal not in normalised ISO-8601 UTC form"
            "The literal cannot be compared as text in SPL without changing its meaning.";
    }
    /// Codes `B…` of the Elastic ES|QL backend.
    Esql EsqlCode {
        B001 "a regex with no exact Lucene (`RLIKE`) or Java (`REPLACE`) form"
            "ES|QL's RLIKE takes a Lucene regular expression, which matches the whole value and has no \
             anchors, look-arounds or word boundaries; REPLACE takes a Java regex. This RE2 pattern \
             cannot be rewritten exactly for them.";
        B002 "a `has`-family test with an empty value"
            "KQL's term semantics for `has \"\"` are not pinned down, so it is declined rather than \
             guessed.";
        B003 "a whole parsed JSON value used as a value, or a path whose source is gone"
            "ES|QL has no object values, only the leaf fields under them. Read the properties you need \
             (`x.a`) instead of the whole object.";
        B004 "an index into a value ES|QL cannot index"
            "An index other than `[0]` before another index in a path (Elasticsearch flattens nested \
             arrays), a negative index into JSON text, or an index into a computed value other than \
             `split()`/`parse_url()`.";
        B005 "a scalar function or argument with no exact ES|QL form"
            "ES|QL has no faithful spelling for this function, or for this use of it (a non-literal \
             argument, an unsupported unit, a capture group that does not exist, …).";
        B006 "an `arg_max`/`arg_min` with no exact ES|QL form"
            "ES|QL has no 'whole row with the extreme value' aggregate; two of them in one summarize, \
             or one grouped by a computed key named like an input column, cannot be written exactly.";
        B007 "a literal ES|QL cannot write"
            "NaN or infinity, a negative time span, or a span below a millisecond (ES|QL time spans \
             stop at milliseconds).";
        B008 "a table name or column pattern ES|QL cannot spell"
            "The index name or a column wildcard holds characters ES|QL does not accept there.";
        B009 "parallel assignments that would read each other"
            "In KQL a `project`/`project-rename`/`arg_max` list reads the input row; ES|QL evaluates \
             left to right, so an assignment that reads a column an earlier one overwrites would \
             change meaning.";
        B012 "time-span arithmetic with no ES|QL form (`datetime - datetime`, `span * x`)"
            "In KQL the difference of two datetimes is a timespan; ES|QL has no date − date operator \
             and no duration column type. Compare the datetimes themselves (`End >= Start + 5m`), or \
             use `datetime_diff()` for a number. ES|QL's durations (`1 hour`) can only be added to \
             or subtracted from a datetime, so a span multiplied, divided or taken modulo that \
             kqlport cannot fold to one literal (`1h * 1.5`, `1h / 2`) has no ES|QL form either.";
        B200 "ES|QL's 10,000-row cap (caveat)"
            "ES|QL returns at most 10,000 rows; nothing in the KQL bounds its result, so a larger \
             result is cut. Not a note on the translation itself.";
    }
    /// Codes `B…` of the Elastic EQL backend.
    Eql EqlCode {
        B061 "statistics or sorting (`summarize`, `sort`, `top`, `distinct`, `count`)"
            "EQL selects whole events; `summarize`, `sort`/`order by`, `top`, `distinct` and `count` \
             have no EQL form. Use ES|QL for these queries. (Before this registry EQL raised this as \
             B001.)";
        B062 "a filter after `take`/`limit`"
            "EQL's size limit applies last, so a filter after `take` cannot be written. (Was B002 in EQL.)";
        B063 "a time window inside `or`/`not`"
            "Only a top-level `TimeGenerated > ago(…)` window can move to the search API's range \
             filter. (Was B003 in EQL.)";
        B064 "a field-to-field comparison"
            "EQL only compares fields with literals. (Was B004 in EQL.)";
        B065 "a value or test EQL cannot express"
            "EQL conditions compare fields with literals, with a few functions (length, startsWith, \
             cidrMatch…); computed values, paths into computed columns and empty string tests have no \
             form. ES|QL can compute values. (Was B005 in EQL.)";
        B066 "a regex with no exact Lucene form, or not valid RE2"
            "EQL's `regex` uses Lucene syntax; this pattern cannot be rewritten exactly. (Was B006 in EQL.)";
        B067 "datetime/timespan literals, `now()` or `ago()`"
            "EQL has no datetime or timespan literals; a fixed time range belongs in the search API's \
             `filter`. (Was B007 in EQL.)";
        B068 "a field name EQL cannot write"
            "An empty field name or one with control characters. (Was B008 in EQL.)";
        B069 "a term test with an empty value"
            "KQL's meaning of `has \"\"` is not pinned down; write `isempty()` or remove the test. \
             (Was B009 in EQL.)";
    }
    /// Codes `B…` of the Sigma backend.
    Sigma SigmaCode {
        B040 "internal error in the Sigma backend"
            "A stage or predicate reached a part of the backend that should never see it. This is a \
             kqlport bug; please report the query.";
        B041 "Sigma can only test event fields, not computed values"
            "A Sigma detection maps fields to values; a test on a computed value has no form.";
        B042 "a field name or path Sigma cannot write"
            "The column name cannot be written as a Sigma field, or the path indexes into an array \
             (Sigma field names cannot).";
        B043 "an empty pattern"
            "An empty pattern matches every value in KQL; Sigma cannot express that.";
        B044 "a regex that cannot be ported to Sigma"
            "Sigma's `|re` modifier uses PCRE-like syntax; this RE2 pattern has no exact rewrite.";
        B045 "a comparison with a value Sigma cannot hold"
            "Sigma detections compare only numbers, booleans and strings, and ranges need numeric \
             bounds.";
        B046 "a time window inside `or`/`not`"
            "A time window can only become the rule's timeframe at the top level.";
        B047 "a constant true/false condition"
            "Sigma has no constant condition.";
        B048 "a field-to-field comparison other than equality"
            "Sigma's `fieldref` compares fields for equality only.";
        B049 "`ipv4_is_in_range` without a literal range"
            "Sigma's `cidr` modifier needs a literal IPv4 range.";
        B050 "a stage Sigma has no form for"
            "Sigma rules select events; only `summarize count()`/`dcount()` by fields with a threshold \
             become a correlation, other stages have no form.";
        B051 "a filter on a computed or renamed column"
            "A Sigma rule can only test event fields, not columns computed or renamed earlier.";
        B052 "a time bin that cannot become a correlation timespan"
            "Only one time bin of whole seconds can become a Sigma correlation timespan.";
        B053 "a correlation without a group-by field"
            "Sigma event_count/value_count correlations need at least one group-by field.";
        B054 "a rule with no field condition"
            "A Sigma rule needs at least one field condition; this query filters nothing Sigma can test.";
        B055 "a correlation condition Sigma cannot write"
            "A Sigma correlation has one condition on one aggregate.";
        B056 "no timespan for a Sigma correlation"
            "A Sigma correlation counts per `timespan`. kqlport takes it from `bin(TimeGenerated, …)` among the group keys, else from the rule's query period, else from the query's own look-back (`TimeGenerated > ago(…)` before the summarize); this query has none of them, or one that is not a duration Sigma can write.";
        B057 "a join kind Sigma cannot express"
            "Sigma correlations cannot express this `join kind`.";
    }
}
