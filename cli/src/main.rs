//! The `kqlport` command: argument parsing, dispatch to the verbs, and exit codes.
//! Owns process concerns only (files, stdout, exit status); all KQL knowledge is in the library.

mod check;
mod convert;
mod coverage;
mod explain;
mod inputs;
mod json;
mod load;
mod output;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

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
    after_help = "Examples:\n  kqlport convert --to spl rules/\n  kqlport convert --to esql,sigma -o out/ rules/\n  kqlport check rules/\n  kqlport check --format json rules/ > report.jsonl\n  kqlport explain --ast rules/seeds/tor_hunting.yaml\n  kqlport explain --ir rules/seeds/tor_hunting.yaml\n  kqlport explain --code B030\n  cat query.kql | kqlport check -"
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
    Convert {
        /// Target(s), comma-separated or repeated.
        #[arg(long = "to", value_enum, value_delimiter = ',', required = true)]
        targets: Vec<convert::Target>,
        /// Field-mapping pipeline. `none` keeps Sentinel table and field names (the table name
        /// becomes the index, sourcetype, EQL category or Sigma logsource service).
        #[arg(long, value_enum, default_value_t = convert::Pipeline::None)]
        pipeline: convert::Pipeline,
        /// Treat approximate translations as failures: nothing is emitted for them.
        #[arg(long)]
        strict: bool,
        /// Output format: text (translations, diagnostics on stderr) or json (one object per
        /// query and target: file, index, target, status, notes, output).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Write one file per rule under DIR (mirroring the input tree) instead of stdout;
        /// colliding names keep their input's extension (see above).
        #[arg(short = 'o', long = "output", value_name = "DIR")]
        out_dir: Option<PathBuf>,
        /// Files, directories or '-' (standard input).
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
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

fn run(cli: Cli) -> u8 {
    let mut stdout = std::io::stdout().lock();
    let result = match cli.command {
        Command::Check {
            format,
            coverage: true,
            targets,
            paths,
        } => {
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
            coverage::run(&paths, &targets, format, &mut stdout)
        }
        Command::Check { format, paths, .. } => check::run(&paths, format, &mut stdout),
        Command::Convert {
            targets,
            pipeline: convert::Pipeline::None,
            strict,
            format,
            out_dir,
            paths,
        } => convert::run(
            &paths,
            &convert::Options {
                // `--to spl,spl` asks for one SPL translation, not two writes of one file.
                targets: &unique(targets),
                strict,
                format,
                out_dir: out_dir.as_deref(),
            },
            &mut stdout,
        ),
        Command::Explain {
            ast: _,
            ir,
            rule,
            code,
            format,
            file,
        } => {
            let what = if rule {
                explain::What::Rule
            } else if ir {
                explain::What::Ir
            } else {
                explain::What::Ast
            };
            match (code, file) {
                (Some(code), _) => explain::run_code(&code, format, &mut stdout),
                (None, Some(file)) => explain::run(&file, what, format, &mut stdout),
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
