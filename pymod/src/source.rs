//! A function's source, captured when `@jit` decorates it: later edits of the
//! file never change what is compiled. `ferrojit._source` finds the text and
//! checks that CPython compiles it to the function's own code.

use std::sync::Arc;

use frontend::{SourceFile, Span};
use pyo3::prelude::*;

use crate::errors::CompileFailure;

pub(crate) enum Source {
    Found {
        file: Arc<SourceFile>,
        /// For a lambda: where its expression is in `file.text`.
        lambda: Option<Span>,
    },
    /// `inspect` finds no source (`exec`, the interactive prompt).
    Missing,
    /// The file's text is not the code Python runs (edited since it was loaded).
    Changed { path: String },
}

impl Source {
    pub(crate) fn capture(py_func: &Bound<'_, PyAny>) -> PyResult<Source> {
        let py = py_func.py();
        let found = py
            .import("ferrojit._source")?
            .call_method1("capture", (py_func,))?;
        let (status, data): (String, Bound<'_, PyAny>) = found.extract()?;
        Ok(match status.as_str() {
            "ok" => {
                let (path, text, first_line, lambda): (String, String, u32, Option<(u32, u32)>) =
                    data.extract()?;
                Source::Found {
                    file: Arc::new(SourceFile {
                        path,
                        text,
                        first_line,
                    }),
                    lambda: lambda.map(|(start, end)| Span::new(start, end)),
                }
            }
            "changed" => Source::Changed {
                path: data.extract()?,
            },
            _ => Source::Missing,
        })
    }

    /// The text to parse, or why there is none for the function called `name`.
    pub(crate) fn found(
        &self,
        name: &str,
    ) -> Result<(Arc<SourceFile>, Option<Span>), CompileFailure> {
        match self {
            Source::Found { file, lambda } => Ok((file.clone(), *lambda)),
            Source::Missing => Err(CompileFailure::NoSource {
                name: name.to_string(),
            }),
            Source::Changed { path } => Err(CompileFailure::SourceChanged {
                name: name.to_string(),
                path: path.clone(),
            }),
        }
    }
}
