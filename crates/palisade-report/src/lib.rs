//! Palisade's PDF rendering, in pure Rust: the evidence bundle's
//! `report.pdf` chronology ([`render_report`]) and letters
//! ([`render_letter`]).
//!
//! Text is set in embedded DejaVu fonts (subset, CID-keyed, with a
//! ToUnicode map so it can be selected, searched and extracted), pages are
//! A4, streams are compressed, and the output is deterministic: the same
//! input renders to the same bytes. Nothing is read from the clock, the
//! network or the file system.
//!
//! Privacy: the renderer draws what it is given. Fields the disclosure
//! profile withholds must arrive as [`Field::Withheld`], so their text is
//! never in the document, compressed or not.
#![forbid(unsafe_code)]

mod chart;
mod error;
mod fonts;
mod layout;
mod letter;
mod model;
mod pdf;
mod report;
mod table;
mod thumbnail;
mod time;

pub use error::ReportError;
pub use letter::{Letter, render_letter};
pub use model::{
    Field, Report, ReportAction, ReportAttachment, ReportCustody, ReportEntry, ReportExhibit,
};
pub use report::render_report;
pub use thumbnail::{MAX_PIXELS, THUMBNAIL_SIZE, Thumbnail, make_thumbnail};
