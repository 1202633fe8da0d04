//! Turning command-line PATH arguments into an ordered list of inputs and reading them.
//! Owns the file walk and the extension policy; never parses or renders.

use std::io::Read;
use std::path::{Path, PathBuf};

/// File extensions picked up when walking a directory. A file named explicitly on the command
/// line is read whatever its extension.
pub const WALK_EXTENSIONS: &[&str] = &["yaml", "yml", "kql", "csl", "kusto"];

/// One input to process: a file, or standard input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// A file, and the PATH argument it was found under (the file itself when named
    /// explicitly), so outputs can mirror the input tree.
    File {
        path: PathBuf,
        root: PathBuf,
    },
    Stdin,
}

impl Input {
    /// The name used in diagnostics and reports: the path as given (with `/` separators), or
    /// `<stdin>`.
    pub fn display_name(&self) -> String {
        match self {
            Input::File { path, .. } => path.to_string_lossy().replace('\\', "/"),
            Input::Stdin => "<stdin>".to_string(),
        }
    }

    pub fn read(&self) -> std::io::Result<Vec<u8>> {
        match self {
            Input::File { path, .. } => std::fs::read(path),
            Input::Stdin => {
                let mut buf = Vec::new();
                std::io::stdin().lock().read_to_end(&mut buf)?;
                Ok(buf)
            }
        }
    }
}

/// A PATH argument that could not be turned into inputs (it does not exist, or a directory
/// could not be read). Reported like any other failed input; never fatal to the batch.
#[derive(Debug)]
pub struct InputError {
    pub name: String,
    pub message: String,
}

/// Expands PATH arguments, in the order given; directories are walked recursively in
/// file-name order (so output is deterministic) and contribute files with a
/// [`WALK_EXTENSIONS`] extension. Duplicates are kept once, at their first position.
pub fn collect(paths: &[PathBuf]) -> (Vec<Input>, Vec<InputError>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            push_unique(&mut inputs, Input::Stdin);
            continue;
        }
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => walk(path, &mut inputs, &mut errors),
            Ok(_) => push_unique(
                &mut inputs,
                Input::File {
                    path: path.clone(),
                    root: path.clone(),
                },
            ),
            Err(e) => errors.push(InputError {
                name: path.to_string_lossy().into_owned(),
                message: describe_io_error(&e),
            }),
        }
    }
    (inputs, errors)
}

fn walk(dir: &Path, inputs: &mut Vec<Input>, errors: &mut Vec<InputError>) {
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        match entry {
            Ok(e) if e.file_type().is_file() && has_walk_extension(e.path()) => push_unique(
                inputs,
                Input::File {
                    path: e.into_path(),
                    root: dir.to_path_buf(),
                },
            ),
            Ok(_) => {}
            Err(e) => errors.push(InputError {
                name: e.path().unwrap_or(dir).to_string_lossy().replace('\\', "/"),
                message: e
                    .io_error()
                    .map(describe_io_error)
                    .unwrap_or_else(|| e.to_string()),
            }),
        }
    }
}

fn has_walk_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| WALK_EXTENSIONS.iter().any(|w| w.eq_ignore_ascii_case(e)))
}

fn push_unique(inputs: &mut Vec<Input>, input: Input) {
    let same = |a: &Input| match (a, &input) {
        (Input::File { path: p, .. }, Input::File { path: q, .. }) => p == q,
        (Input::Stdin, Input::Stdin) => true,
        _ => false,
    };
    if !inputs.iter().any(same) {
        inputs.push(input);
    }
}

pub fn describe_io_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}
