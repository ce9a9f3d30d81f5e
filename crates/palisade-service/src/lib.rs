//! Palisade's use cases over a store: create and open a data directory,
//! record what happened in a case, read it back, and verify everything.
//! The CLI and (later) the web application are thin layers over this crate.
#![forbid(unsafe_code)]

pub mod accounts;
mod attachments;
mod case_cache;
mod cases;
pub mod error;
mod export;
mod guidance;
mod import;
pub mod keys;
mod ledger;
mod letter_edits;
mod sharing;
mod stream;
mod timestamps;
mod verify;
mod witness;

pub use accounts::{
    Accounts, ApiTokenInfo, AuditAction, AuditEntry, AuditEvent, Clock, LoginOutcome, ManualClock,
    NewSession, OrgSettings, Password, Role, Scope, SessionInfo, SystemClock, TotpEnrolment, User,
};
pub use attachments::UploadedFile;
pub use case_cache::{CaseAccess, CaseFacts, PublishedFlag};
pub use cases::{CaseSummary, RecordReceipt};
pub use error::{Result, ServiceError};
pub use export::{BundleEncryption, ExportOptions, ExportReport, Range as ExportRange};
pub use guidance::{
    AcknowledgementReceipt, Assessment, IssuedLetter, LetterReport, LetterRequest, letter_action,
    placeholders, render_letter,
};
pub use import::{ImportFormat, ImportOptions, ImportReport};
pub use keys::KeyOptions;
pub use ledger::{INSTALLATION_SCOPE, InitReport, Palisade, Pending, Receipt};
pub use letter_edits::{LetterEdits, MAX_LETTER_PARAGRAPHS, MAX_PARAGRAPH_CHARS};
pub use stream::{PushPending, StreamReceipt};
pub use timestamps::TimestampReceipt;
pub use verify::{Problem, VerifyReport};
