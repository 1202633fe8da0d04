//! Turning command-line PATH arguments into an ordered list of inputs and reading them.
//! Owns the file walk, the extension policy and the input bounds (regular files only, at most
//! [`MAX_INPUT_BYTES`]); never parses or renders.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

/// File extensions picked up when walking a directory. A file named explicitly on the command
/// line is read whatever its extension.
pub const WALK_EXTENSIONS: &[&str] = &["yaml", "yml", "kql", "csl", "kusto"];

/// The largest input read, in bytes (16 MiB; real rules are a few kilobytes). A larger file, or
/// more than this on standard input, is refused with `I012` without reading the rest.
pub const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// Input/output diagnostic codes the CLI owns (the library's loader owns I001–I003).
pub mod code {
    /// A PATH, directory entry or symbolic link that cannot be opened or followed.
    pub const CANNOT_READ: kqlport::codes::InputCode = kqlport::codes::InputCode::I010;
    /// Not a regular file: a FIFO, socket, device or directory named as an input.
    pub const NOT_REGULAR: kqlport::codes::InputCode = kqlport::codes::InputCode::I011;
    /// Larger than [`super::MAX_INPUT_BYTES`].
    pub const TOO_LARGE: kqlport::codes::InputCode = kqlport::codes::InputCode::I012;
    /// An output file could not be written.
    pub const CANNOT_WRITE: kqlport::codes::InputCode = kqlport::codes::InputCode::I013;
    /// Two translations, or a translation and an input, would share one output path.
    pub const OUTPUT_COLLISION: kqlport::codes::InputCode = kqlport::codes::InputCode::I014;
    /// A translation the requested rule-file format cannot hold (`convert --format`).
    pub const CANNOT_RENDER: kqlport::codes::InputCode = kqlport::codes::InputCode::I020;
}

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

/// Why an input could not be read: a diagnostic code and a message.
#[derive(Debug)]
pub struct ReadError {
    pub code: kqlport::codes::InputCode,
    pub message: String,
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

    /// The input's path relative to the PATH argument it was found under — the file name when
    /// it was named explicitly — with `/` separators: the same for `a.kql`, `./a.kql` and
    /// `/abs/a.kql`. Output files mirror it, and it seeds identities derived from the file
    /// (the Sigma `id` of a rule without a Sentinel id).
    pub fn relative_name(&self) -> String {
        match self {
            Input::File { path, root } => relative_path(root, path)
                .to_string_lossy()
                .replace('\\', "/"),
            Input::Stdin => "<stdin>".to_string(),
        }
    }

    /// Reads the whole input, refusing anything but a regular file (standard input excepted)
    /// and anything larger than [`MAX_INPUT_BYTES`] — never more than that is read.
    pub fn read(&self) -> Result<Vec<u8>, ReadError> {
        match self {
            Input::File { path, .. } => read_file(path),
            Input::Stdin => read_bounded(std::io::stdin().lock()),
        }
    }
}

/// `path` relative to `root`; the file name when `path` is `root` itself (a file named
/// explicitly) or lies outside it.
pub fn relative_path(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root)
        .ok()
        .filter(|r| !r.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| path.file_name().map(PathBuf::from).unwrap_or_default())
}

fn read_file(path: &Path) -> Result<Vec<u8>, ReadError> {
    let cannot_read = |e: std::io::Error| ReadError {
        code: code::CANNOT_READ,
        message: format!("cannot read: {}", describe_io_error(&e)),
    };
    // Check the type before opening: opening a FIFO for reading blocks until a writer comes.
    let meta = std::fs::metadata(path).map_err(cannot_read)?;
    check_regular(&meta)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        // Never block in open(), even if the path was swapped for a FIFO since the check.
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(cannot_read)?;
    // The file actually opened must be regular too (the path may have changed since).
    check_regular(&file.metadata().map_err(cannot_read)?)?;
    read_bounded(file)
}

fn check_regular(meta: &std::fs::Metadata) -> Result<(), ReadError> {
    if meta.is_file() {
        if meta.len() > MAX_INPUT_BYTES {
            return Err(too_large(Some(meta.len())));
        }
        return Ok(());
    }
    Err(ReadError {
        code: code::NOT_REGULAR,
        message: format!(
            "not a regular file ({}); only regular files are read (use '-' for a pipe)",
            describe_file_type(&meta.file_type())
        ),
    })
}

fn too_large(len: Option<u64>) -> ReadError {
    let limit = MAX_INPUT_BYTES / (1024 * 1024);
    ReadError {
        code: code::TOO_LARGE,
        message: match len {
            Some(len) => format!("input is larger than the {limit} MiB limit ({len} bytes)"),
            None => format!("input is larger than the {limit} MiB limit (reading stopped there)"),
        },
    }
}

/// Reads at most [`MAX_INPUT_BYTES`] + 1 bytes; more than the limit is an error.
fn read_bounded(reader: impl Read) -> Result<Vec<u8>, ReadError> {
    let mut buf = Vec::new();
    reader
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| ReadError {
            code: code::CANNOT_READ,
            message: format!("cannot read: {}", describe_io_error(&e)),
        })?;
    if buf.len() as u64 > MAX_INPUT_BYTES {
        return Err(too_large(None));
    }
    Ok(buf)
}

fn describe_file_type(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

/// A PATH argument or directory entry that could not be turned into an input (it does not
/// exist, a directory could not be read, a symbolic link dangles or loops). Reported like any
/// other failed input; never fatal to the batch.
#[derive(Debug)]
pub struct InputError {
    pub name: String,
    pub message: String,
}

/// Expands PATH arguments, in the order given; directories are walked recursively in
/// file-name order (so output is deterministic) and contribute every entry with a
/// [`WALK_EXTENSIONS`] extension. Symbolic links are followed, to files and to directories
/// (a link that loops back to a directory being walked is reported, not followed); a dangling
/// link is reported. Entries that are not regular files (FIFOs, sockets, devices) are kept as
/// inputs so that reading them reports why they are refused. Duplicates are kept once, at
/// their first position.
pub fn collect(paths: &[PathBuf]) -> (Vec<Input>, Vec<InputError>) {
    let mut inputs = Unique::default();
    let mut errors = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => walk(path, &mut inputs, &mut errors),
            Ok(_) => inputs.push(Input::File {
                path: path.clone(),
                root: path.clone(),
            }),
            Err(e) => errors.push(InputError {
                name: path.to_string_lossy().replace('\\', "/"),
                message: describe_io_error(&e),
            }),
        }
    }
    (inputs.inputs, errors)
}

/// Inputs in first-seen order, each once (a set of the paths seen: a batch of thousands of
/// files would otherwise compare every path with every other).
#[derive(Default)]
struct Unique {
    inputs: Vec<Input>,
    paths: HashSet<PathBuf>,
    stdin: bool,
}

impl Unique {
    fn push(&mut self, input: Input) {
        let new = match &input {
            // `Path` equality and hashing agree (both by components).
            Input::File { path, .. } => self.paths.insert(path.clone()),
            Input::Stdin => !std::mem::replace(&mut self.stdin, true),
        };
        if new {
            self.inputs.push(input);
        }
    }
}

fn walk(dir: &Path, inputs: &mut Unique, errors: &mut Vec<InputError>) {
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
    {
        match entry {
            Ok(e) if !e.file_type().is_dir() && has_walk_extension(e.path()) => {
                inputs.push(Input::File {
                    path: e.into_path(),
                    root: dir.to_path_buf(),
                })
            }
            Ok(_) => {}
            Err(e) => errors.push(InputError {
                name: e.path().unwrap_or(dir).to_string_lossy().replace('\\', "/"),
                message: match (e.loop_ancestor(), e.io_error()) {
                    (Some(ancestor), _) => format!(
                        "symbolic link loop: it leads back to {}, which is already being walked",
                        ancestor.to_string_lossy().replace('\\', "/")
                    ),
                    (None, Some(io)) if is_link_loop(io) => {
                        "symbolic link loop: the link leads back to itself".to_string()
                    }
                    (None, Some(io)) if is_dangling_link(e.path()) => {
                        format!("dangling symbolic link ({})", describe_io_error(io))
                    }
                    (None, Some(io)) => describe_io_error(io),
                    (None, None) => e.to_string(),
                },
            }),
        }
    }
}

fn is_link_loop(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        e.raw_os_error() == Some(libc::ELOOP)
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

fn is_dangling_link(path: Option<&Path>) -> bool {
    path.is_some_and(|p| {
        std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink())
            && std::fs::metadata(p).is_err()
    })
}

fn has_walk_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| WALK_EXTENSIONS.iter().any(|w| w.eq_ignore_ascii_case(e)))
}

pub fn describe_io_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}
