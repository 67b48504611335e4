//! The lines of a plan file that a report shows, and how they are shown.
//!
//! A finding is printed with the few lines around its field, never with the
//! whole file: an [`Excerpt`] holds only those lines (cut from the file as it
//! may be printed, [`pgplan_core::redact::Excerpt`]) and tells miette where
//! they are, so the cost of a report is proportional to its findings, not to
//! findings × file size.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// A few lines of a plan file, placed where they are in it: miette reads
/// spans in file offsets and prints the file's line numbers.
#[derive(Debug)]
pub struct Excerpt {
    name: String,
    /// The shown lines.
    text: String,
    /// Offset in the printable file that `text` stands for (spans are
    /// relative to it).
    base: usize,
    /// 0-based line number of the first line.
    first_line: usize,
}

impl Excerpt {
    /// An excerpt of `text` (whole lines of the printable file), that start
    /// at its offset `base` on 0-based line `first_line`.
    pub fn new(name: &str, text: String, base: usize, first_line: usize) -> Self {
        Excerpt {
            name: name.to_owned(),
            text,
            base,
            first_line,
        }
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let local = SourceSpan::new(
            span.offset()
                .checked_sub(self.base)
                .ok_or(MietteError::OutOfBounds)?
                .into(),
            span.len(),
        );
        let inner =
            self.text
                .as_bytes()
                .read_span(&local, context_lines_before, context_lines_after)?;
        let data: &'a [u8] = {
            let start = inner.span().offset();
            &self.text.as_bytes()[start..start + inner.span().len()]
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            data,
            SourceSpan::new(
                (inner.span().offset() + self.base).into(),
                inner.span().len(),
            ),
            inner.line() + self.first_line,
            inner.column(),
            inner.line_count(),
        )))
    }
}
