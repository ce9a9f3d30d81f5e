//! Errors from rendering.

/// Why a report or letter could not be rendered.
///
/// Rendering does not fail on odd input (unusual characters, missing
/// glyphs, unreadable dates are all drawn as best they can be); these errors
/// mean the embedded resources themselves could not be used.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ReportError {
    /// An embedded font could not be read or subset.
    #[error("font {font}: {reason}")]
    Font {
        /// The font's file name.
        font: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// The document grew past what a PDF can address.
    #[error("document too large: {0}")]
    TooLarge(&'static str),
}
