//! The pure core of Palisade.
//!
//! Nothing in this crate touches the file system, a database or the network.
//! It defines what a case record *is* (domain), how a record is committed to
//! (salted field digests, canonical envelope, Merkle leaf), how the log is
//! hashed into a tree and signed (RFC 6962 tree, C2SP checkpoint), how
//! content is encrypted, and how records fold into the views people read.
#![forbid(unsafe_code)]

pub mod access;
pub mod checkpoint;
pub mod compose;
pub mod crypto;
pub mod domain;
pub mod ids;
pub mod media;
pub mod merkle;
pub mod record;
pub mod time;
pub mod view;
