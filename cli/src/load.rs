//! Reading one input and handing its bytes to the library's rule loader; the one place the CLI
//! turns I/O failures into diagnostics.

use crate::inputs::Input;
use kqlport::sentinel::{self, LoadedFile};
use kqlport::{Diagnostic, Span};

/// An input that was read and loaded, or the reason it was not, with the text to render the
/// reason against.
pub enum Loaded {
    Ok(Box<LoadedFile>),
    Failed {
        /// The file's text as far as it could be decoded (lossily), for rendering snippets.
        text: String,
        diagnostics: Vec<Diagnostic>,
    },
}

pub fn load(input: &Input) -> Loaded {
    let name = input.display_name();
    let bytes = match input.read() {
        Ok(b) => b,
        Err(e) => {
            return Loaded::Failed {
                text: String::new(),
                diagnostics: vec![Diagnostic::error(e.code, e.message, Span::new(0, 0))],
            }
        }
    };
    let result = match input {
        Input::Stdin => sentinel::load_as(None, &name, &bytes),
        Input::File { .. } => sentinel::load(&name, &bytes),
    };
    match result {
        Ok(file) => Loaded::Ok(Box::new(file)),
        Err(diagnostics) => Loaded::Failed {
            text: sentinel::display_text(&bytes),
            diagnostics,
        },
    }
}
