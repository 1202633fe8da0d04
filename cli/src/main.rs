//! The `kqlport` command: argument parsing, dispatch to the verbs, and exit codes.
//! Owns process concerns only (files, stdout, exit status); all KQL knowledge is in the library.

mod check;
mod check_mode;
mod convert;
mod coverage;
mod explain;
mod inputs;
mod json;
mod list;
mod load;
mod output;
mod pipelines;
mod rulefile;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc instead of the system allocator: parsing, lowering and translating allocate many
/// small, short-lived values, and glibc's malloc and free were about a quarter of the
/// instructions of a corpus `convert` (the library itself leaves the allocator to its user;
/// benches/stages.rs and cli/benches/backends.rs use it too, so the benchmarks measure what the
/// command runs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit status: everything succeeded.
pub const EXIT_OK: u8 = 0;
/// Exit status: at least one input failed (each failure is reported).
pub const EXIT_FAILED: u8 = 1;
/// Exit status: the command line was wrong (clap uses 2 for its own usage errors too).
pub const EXIT_USAGE: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "kqlport",
    version,
    about = "Port Microsoft Sentinel KQL detections to Splunk SPL, Elastic ES|QL and EQL, and Sigma",
    long_about = "kqlport reads Microsoft Sentinel detections — analytic-rule and hunting-query YAML \
files, or bare KQL (.kql, .csl, .kusto) — and checks, explains and \
translates them.\n\n\
PATH arguments may be files, directories (walked recursively for .yaml, .yml, .kql, .csl \
and .kusto files, in name order, following symbolic links; a dangling or looping link is \
reported as a failed input) or '-' for standard input. A file named explicitly is read \
whatever its extension: .yaml/.yml as a Sentinel rule, .md for its ```kql fenced blocks, \
anything else as one KQL query. Only regular files are read — a FIFO, socket or device is \
refused (I011) without blocking; pipe it through '-' instead — and no input may exceed \
16 MiB (I012); standard input is bounded the same way.\n\n\
Exit status: 0 when every input succeeded, 1 when any input failed (each failure is \
reported with its file, line and column, and the others are still processed), 2 for a usage \
error.",
    after_help = "Examples:\n  kqlport convert --to spl rules/\n  kqlport convert --to esql,sigma -o out/ rules/\n  kqlport convert --to spl --format splunk rules/ > savedsearches.conf\n  kqlport convert --to esql --format elastic rules/ > rules.ndjson\n  kqlport convert --to spl,sigma -o translations/ --check rules/\n  kqlport convert --to esql --pipeline ecs rules/\n  kqlport list targets\n  kqlport list pipelines\n  kqlport check rules/\n  kqlport check --format json rules/ > report.jsonl\n  kqlport explain --ast rules/seeds/tor_hunting.yaml\n  kqlport explain --ir rules/seeds/tor_hunting.yaml\n  kqlport explain --code B030\n  cat query.kql | kqlport check -"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Parse every query in PATH..., check its column names, and report each error with its
    /// location.
    ///
    /// Prints each located error (file:line:column, the source line and a caret): a query
    /// that does not parse, or that names a column that does not exist where it is used
    /// (L060: after project, summarize, distinct, count or a join fixed the columns). A name
    /// missing only from kqlport's schema of the table is a warning (L061; the schema may lag
    /// the table). Ends with the line `checked N queries in F files: V valid, E failed`.
    /// A file that cannot be read or loaded (invalid YAML, no `query`, not UTF-8) counts as
    /// one failed query. With `--format json`, stdout carries one JSON object per query
    /// ({"file", "index", "ok", "error": {"code", "line", "column", "message"}, "errors",
    /// "warnings"}) and the summary line goes to stderr.
    ///
    /// With --coverage, translates every query instead (to the --to targets, all four by
    /// default; nothing is written) and reports per target how many translate exactly,
    /// approximately, are declined or fail, then the first reason each declined query is
    /// declined, ranked by how many queries it stops (code and construct). With
    /// `--format json`, one JSON array with an object per target. Exit status 0 unless the
    /// command line is wrong: the report is the result.
    Check {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Report translation coverage per target instead of parse errors.
        #[arg(long)]
        coverage: bool,
        /// With --coverage: the target(s), comma-separated (default: all four).
        #[arg(long = "to", value_enum, value_delimiter = ',', requires = "coverage")]
        targets: Vec<convert::Target>,
        /// With --coverage: translate through this field-mapping pipeline (see `kqlport list
        /// pipelines`; without it each target gets its default, as with convert), and report
        /// the tables and columns it does not map, ranked by how many
        /// queries use them.
        #[arg(long, value_name = "NAME", requires = "coverage")]
        pipeline: Option<String>,
        /// With --coverage: a pipeline file applied over --pipeline (repeatable, in order).
        #[arg(
            short = 'p',
            long = "pipeline-file",
            value_name = "FILE",
            requires = "coverage"
        )]
        pipeline_files: Vec<PathBuf>,
        /// Files, directories or '-' (standard input).
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Translate every query in PATH... to one or more targets.
    ///
    /// Each query is parsed, lowered to kqlport's detection IR and emitted by the target's
    /// backend. Every translation is exact (same rows as the KQL), approximate (each difference
    /// reported as a warning with its KQL location and whether it can over- or under-match, and
    /// repeated as comments at the top of the output), or declined (nothing emitted; each reason
    /// reported with its location). Translations go to stdout, or with -o DIR to one file per
    /// rule mirroring the input tree (.spl, .esql, .eql, .yml), each written atomically. The
    /// summary line `converted N queries in F files to T: X exact, A approximate, D declined,
    /// E failed` goes to stderr. Exit status 0 when everything translated, 1 when anything was
    /// declined or failed.
    ///
    /// With -o, output names are planned for the whole batch before anything is written:
    /// `rules/a/x.yaml` → `DIR/a/x.spl`, and `x-0.spl`, `x-1.spl`… for a file with several
    /// queries. Inputs whose names would collide (`r.kql` and `r.yaml`; `x.md` query 0 and
    /// `x-0.kql`) or whose output would be an input keep their extension instead
    /// (`r.kql.spl`, `r.yaml.spl`, `x.md-0.spl`). A path still shared (the same relative name
    /// under two PATH arguments) goes to the first; the others fail (I014). An input is never
    /// overwritten. Files are written through a `.kqlport-tmp-*` file renamed into place
    /// (one left by a killed run is removed by the next run writing there) and get the usual
    /// mode of a new file (0666 less the umask). A write that fails is one failure (I013).
    ///
    /// --format chooses what is written for each translation: `query` (the default: the
    /// translated query, approximations as comments), `splunk` (a savedsearches.conf stanza,
    /// `--to spl`, files `.conf`), `elastic` (an Elastic Security detection rule as one NDJSON
    /// line, importable into Kibana, `--to esql` or `--to eql`, files `.esql.ndjson` /
    /// `.eql.ndjson`) or `sigma` (the Sigma rule, `--to sigma`). The rule formats carry the
    /// Sentinel rule's schedule, trigger, severity, description and ATT&CK mapping; what a
    /// target cannot hold is written as a note in the file. --report chooses how results are
    /// reported (text or json). `--format text|json`, the option's meaning before rule files
    /// existed, is still accepted as a deprecated alias of `--report` (a warning says so), so
    /// existing scripts keep working.
    ///
    /// With -o DIR --check, nothing is written: each planned output is compared with the file
    /// in DIR and every difference printed as a unified diff — a changed file, a new file, or
    /// an orphaned one (a file under DIR with an extension this run writes, e.g. `.spl`, that
    /// no input maps to now). The summary `check DIR: U unchanged, C changed, N new, O
    /// orphaned` goes to stderr. Exit status 0 when DIR matches exactly, 1 when anything
    /// differs: a query that is declined or does not parse has no output either way (each
    /// is still reported), and a file it had before is an orphan.
    Convert {
        /// Target(s), comma-separated or repeated.
        #[arg(long = "to", value_enum, value_delimiter = ',', required = true)]
        targets: Vec<convert::Target>,
        /// Field-mapping pipeline for every target: a built-in (`kqlport list pipelines`: ecs,
        /// cim, sigma, none). By default each target gets its own: cim for spl, ecs for esql
        /// and eql, sigma for sigma. `none` keeps Sentinel table and field names (the table
        /// name becomes the index, sourcetype, EQL category or Sigma logsource service).
        #[arg(long, value_name = "NAME")]
        pipeline: Option<String>,
        /// A pipeline file (YAML, the format of the built-ins) applied over --pipeline;
        /// repeatable, applied in order, later files overriding earlier ones. A file that does
        /// not load is reported with its line and column (exit status 2).
        #[arg(short = 'p', long = "pipeline-file", value_name = "FILE")]
        pipeline_files: Vec<PathBuf>,
        /// Treat approximate translations as failures: nothing is emitted for them.
        #[arg(long)]
        strict: bool,
        /// What is written per translation: query, splunk, elastic or sigma (see above).
        /// `text` and `json` are deprecated spellings of --report.
        #[arg(long, value_enum, default_value_t = FormatArg::Query, value_name = "FORMAT")]
        format: FormatArg,
        /// How results are reported: text (the default: translations on stdout, diagnostics on
        /// stderr) or json (one object per query and target: file, index, target, status,
        /// notes, output — the rule file itself for --format splunk and elastic).
        #[arg(long, value_enum, value_name = "REPORT")]
        report: Option<Format>,
        /// Write one file per rule under DIR (mirroring the input tree) instead of stdout;
        /// colliding names keep their input's extension (see above).
        #[arg(short = 'o', long = "output", value_name = "DIR")]
        out_dir: Option<PathBuf>,
        /// With -o DIR: write nothing; diff what would be written against DIR and exit 1 if
        /// anything differs (see above).
        #[arg(long, requires = "out_dir")]
        check: bool,
        /// Files, directories or '-' (standard input).
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// List what kqlport offers: `targets` (translation targets), `formats` (what convert
    /// --format writes), one per line as `NAME<TAB>DESCRIPTION`, or `pipelines` (the built-in
    /// field-mapping pipelines, the targets each is the default for, and the tables each maps);
    /// with --format json one JSON array.
    List {
        /// What to list.
        #[arg(value_enum)]
        what: list::What,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print what kqlport reads from one file: the parsed syntax tree of each query (--ast),
    /// the detection IR every backend translates from (--ir), or the loaded rule metadata
    /// (--rule).
    ///
    /// With --code CODE, prints what a diagnostic code means instead (like `rustc --explain`):
    /// its family, one-line meaning and long explanation; an unknown code exits 2. The full
    /// list is docs/codes.md.
    #[command(group(clap::ArgGroup::new("what").required(true).args(["ast", "ir", "rule", "code"])))]
    Explain {
        /// Print the typed syntax tree (AST) of each query, with byte spans.
        #[arg(long)]
        ast: bool,
        /// Print each query's detection IR (the target-neutral form after lets are inlined,
        /// aliases normalised and string operators made explicit), with lowering's notes.
        #[arg(long)]
        ir: bool,
        /// Print the rule's metadata as loaded from its YAML (id, name, severity, tactics, …).
        #[arg(long)]
        rule: bool,
        /// With --ir: the IR after this field-mapping pipeline (target table sources and field
        /// names), with the pipeline's notes.
        #[arg(long, value_name = "NAME", requires = "ir")]
        pipeline: Option<String>,
        /// With --ir: a pipeline file applied over --pipeline (repeatable, in order).
        #[arg(
            short = 'p',
            long = "pipeline-file",
            value_name = "FILE",
            requires = "ir"
        )]
        pipeline_files: Vec<PathBuf>,
        /// Explain a diagnostic code (e.g. B030, as printed in `error[B030]`); takes no FILE.
        #[arg(long, value_name = "CODE", conflicts_with = "file")]
        code: Option<String>,
        /// Output format: text (a readable tree) or json.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// One file, or '-' for standard input.
        #[arg(value_name = "FILE", required_unless_present = "code")]
        file: Option<PathBuf>,
    },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable text.
    Text,
    /// Machine-readable JSON.
    Json,
}

/// `convert --format`: a rule-file format, or (deprecated) the report format.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    /// The translated query (default).
    Query,
    /// A Splunk savedsearches.conf stanza (--to spl).
    Splunk,
    /// An Elastic Security detection rule, NDJSON (--to esql or eql).
    Elastic,
    /// A Sigma rule (--to sigma).
    Sigma,
    /// Deprecated: use --report text.
    Text,
    /// Deprecated: use --report json.
    Json,
}

/// Stack of every thread that parses, lowers or translates.
const WORKER_STACK: usize = 256 * 1024 * 1024;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Parsing is guarded against deep nesting, but run on a thread with a generous stack so
    // that no input can overflow it; so are the threads that convert files in parallel (the
    // stack is reserved address space, committed only as it is used). Should that pool not
    // start, rayon's default one is used: each stage then makes its own stack room.
    let _ = rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("kqlport-{i}"))
        .stack_size(WORKER_STACK)
        .build_global();
    let worker = std::thread::Builder::new()
        .name("kqlport".into())
        .stack_size(WORKER_STACK)
        .spawn(move || run(cli));
    let code = match worker.map(|h| h.join()) {
        Ok(Ok(code)) => code,
        Ok(Err(_)) => {
            eprintln!("kqlport: internal error (a bug): the worker thread panicked");
            101
        }
        Err(e) => {
            eprintln!("kqlport: cannot start a worker thread: {e}");
            EXIT_FAILED
        }
    };
    ExitCode::from(code)
}

/// The items in their first-seen order, each once.
fn unique<T: PartialEq>(items: Vec<T>) -> Vec<T> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// The rule-file and report formats of a `convert` command line, or why they do not fit.
fn convert_formats(
    format: FormatArg,
    report: Option<Format>,
    targets: &[convert::Target],
) -> Result<(rulefile::RuleFormat, Format), String> {
    use rulefile::RuleFormat;
    let rule_format = match format {
        FormatArg::Query => RuleFormat::Query,
        FormatArg::Splunk => RuleFormat::Splunk,
        FormatArg::Elastic => RuleFormat::Elastic,
        FormatArg::Sigma => RuleFormat::Sigma,
        FormatArg::Text | FormatArg::Json => {
            let old = if format == FormatArg::Text {
                Format::Text
            } else {
                Format::Json
            };
            if report.is_some_and(|r| r != old) {
                return Err(format!(
                    "--format {} (the deprecated spelling of --report) contradicts --report",
                    if old == Format::Text { "text" } else { "json" }
                ));
            }
            eprintln!(
                "warning: `convert --format {0}` is deprecated: use `--report {0}` \
                 (--format now chooses what is written: query, splunk, elastic or sigma)",
                if old == Format::Text { "text" } else { "json" }
            );
            return Ok((RuleFormat::Query, old));
        }
    };
    let misfits: Vec<&str> = targets
        .iter()
        .filter(|t| !rule_format.targets().contains(t))
        .map(|t| t.name())
        .collect();
    if !misfits.is_empty() {
        let fits: Vec<&str> = rule_format.targets().iter().map(|t| t.name()).collect();
        return Err(format!(
            "--format {} holds {} translations only, not {}",
            rule_format.name(),
            fits.join(" or "),
            misfits.join(", ")
        ));
    }
    Ok((rule_format, report.unwrap_or(Format::Text)))
}

fn run(cli: Cli) -> u8 {
    let mut stdout = std::io::stdout().lock();
    let result = match cli.command {
        Command::Check {
            format,
            coverage: true,
            targets,
            pipeline,
            pipeline_files,
            paths,
        } => {
            let explicit = pipeline.is_some() || !pipeline_files.is_empty();
            let pipelines =
                match pipelines::Pipelines::resolve(pipeline.as_deref(), &pipeline_files) {
                    Ok(p) => p,
                    Err(code) => return code,
                };
            let targets = if targets.is_empty() {
                vec![
                    convert::Target::Spl,
                    convert::Target::Esql,
                    convert::Target::Eql,
                    convert::Target::Sigma,
                ]
            } else {
                unique(targets)
            };
            coverage::run(&paths, &targets, &pipelines, explicit, format, &mut stdout)
        }
        Command::Check { format, paths, .. } => check::run(&paths, format, &mut stdout),
        Command::Convert {
            targets,
            pipeline,
            pipeline_files,
            strict,
            format,
            report,
            out_dir,
            check,
            paths,
        } => {
            let pipelines =
                match pipelines::Pipelines::resolve(pipeline.as_deref(), &pipeline_files) {
                    Ok(p) => p,
                    Err(code) => return code,
                };
            // `--to spl,spl` asks for one SPL translation, not two writes of one file.
            let targets = unique(targets);
            let (rule_format, report) = match convert_formats(format, report, &targets) {
                Ok(f) => f,
                Err(message) => {
                    eprintln!("error: {message}");
                    return EXIT_USAGE;
                }
            };
            convert::run(
                &paths,
                &convert::Options {
                    targets: &targets,
                    pipelines: &pipelines,
                    strict,
                    format: report,
                    rule_format,
                    out_dir: out_dir.as_deref(),
                    check,
                },
                &mut stdout,
            )
        }
        Command::List { what, format } => list::run(what, format, &mut stdout),
        Command::Explain {
            ast: _,
            ir,
            rule,
            pipeline,
            pipeline_files,
            code,
            format,
            file,
        } => {
            // The IR is target-neutral: without --pipeline it is shown unmapped.
            let mapping = if pipeline.is_some() || !pipeline_files.is_empty() {
                let name = pipeline.as_deref().unwrap_or("none");
                match pipelines::Pipelines::resolve(Some(name), &pipeline_files) {
                    Ok(p) => Some(p.for_target(convert::Target::Esql).clone()),
                    Err(code) => return code,
                }
            } else {
                None
            };
            let what = if rule {
                explain::What::Rule
            } else if ir {
                explain::What::Ir
            } else {
                explain::What::Ast
            };
            match (code, file) {
                (Some(code), _) => explain::run_code(&code, format, &mut stdout),
                (None, Some(file)) => {
                    explain::run(&file, what, mapping.as_ref(), format, &mut stdout)
                }
                (None, None) => unreachable!("clap requires FILE unless --code is given"),
            }
        }
    };
    match result {
        Ok(code) => code,
        // Writing to stdout failed: a closed pipe (`| head`) is not an error worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_OK,
        Err(e) => {
            eprintln!("kqlport: cannot write output: {e}");
            EXIT_FAILED
        }
    }
}
