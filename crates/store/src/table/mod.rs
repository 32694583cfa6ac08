//! One module per table: the SQL that touches it, and nothing else.

pub(crate) mod blobs;
pub(crate) mod changes;
pub(crate) mod documents;
pub(crate) mod meta;
pub(crate) mod signatures;
pub(crate) mod sync_states;
