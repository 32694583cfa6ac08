//! Content pages: a page is a list of blocks; a block is text or a reference to media.
//!
//! Media never goes into a document: a block holds the blob's BLAKE3 hash, its type, size and
//! a caption, and the bytes live in the store's blob folder. Text blocks keep their light
//! formatting (headings, bold, lists) as Markdown in one collaborative text, so formatting
//! merges like the words around it.

use autosurgeon::{Hydrate, Reconcile, Text};

use crate::ids::{BlockId, PageId};

/// A page of the group's content.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Page {
    #[key]
    pub id: PageId,
    pub title: Text,
    pub blocks: Vec<Block>,
}

impl Page {
    /// A new empty page.
    pub fn new(title: &str) -> Self {
        Self {
            id: PageId::random(),
            title: Text::with_value(title),
            blocks: Vec::new(),
        }
    }

    /// Moves a block to another place on the page (indices are clamped).
    ///
    /// Automerge lists have no move: a move is a delete and an insert of a copy. The copy's
    /// text must be fresh, since autosurgeon cannot insert text that still points into the
    /// document it came from.
    pub fn move_block(&mut self, from: usize, to: usize) {
        if from >= self.blocks.len() {
            return;
        }
        let block = self.blocks.remove(from);
        let to = to.min(self.blocks.len());
        self.blocks.insert(to, block.fresh_copy());
    }
}

/// One block on a page.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Block {
    #[key]
    pub id: BlockId,
    pub kind: BlockKind,
}

impl Block {
    /// A text block.
    pub fn text(markdown: &str) -> Self {
        Self {
            id: BlockId::random(),
            kind: BlockKind::Text {
                body: Text::with_value(markdown),
            },
        }
    }

    /// The same block with its texts detached from any document, ready to be inserted anew.
    pub fn fresh_copy(&self) -> Self {
        let fresh = |t: &Text| Text::with_value(t.as_str());
        let media = |m: &MediaRef| MediaRef {
            caption: fresh(&m.caption),
            ..m.clone()
        };
        let kind = match &self.kind {
            BlockKind::Text { body } => BlockKind::Text { body: fresh(body) },
            BlockKind::Photo { media: m } => BlockKind::Photo { media: media(m) },
            BlockKind::Drawing { media: m } => BlockKind::Drawing { media: media(m) },
            BlockKind::Audio { media: m } => BlockKind::Audio { media: media(m) },
            BlockKind::Video { media: m } => BlockKind::Video { media: media(m) },
        };
        Self {
            id: self.id.clone(),
            kind,
        }
    }

    /// The media this block shows, if any.
    pub fn media(&self) -> Option<&MediaRef> {
        match &self.kind {
            BlockKind::Text { .. } => None,
            BlockKind::Photo { media }
            | BlockKind::Drawing { media }
            | BlockKind::Audio { media }
            | BlockKind::Video { media } => Some(media),
        }
    }

    /// The stable name of the block's kind, as used in JSON.
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            BlockKind::Text { .. } => "text",
            BlockKind::Photo { .. } => "photo",
            BlockKind::Drawing { .. } => "drawing",
            BlockKind::Audio { .. } => "audio",
            BlockKind::Video { .. } => "video",
        }
    }
}

/// What a block holds.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub enum BlockKind {
    /// Markdown: `#` headings, `**bold**`, `-` lists.
    Text {
        body: Text,
    },
    Photo {
        media: MediaRef,
    },
    Drawing {
        media: MediaRef,
    },
    Audio {
        media: MediaRef,
    },
    Video {
        media: MediaRef,
    },
}

/// A reference to a blob in the store.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct MediaRef {
    /// BLAKE3 hash of the bytes, lowercase hex.
    pub hash: String,
    pub mime: String,
    pub size: u64,
    pub width: Option<u64>,
    pub height: Option<u64>,
    pub caption: Text,
    /// Hash of a 256 px thumbnail (pictures only): lists and the teacher's overview.
    /// Absent in documents written before thumbnails were kept.
    #[autosurgeon(missing = "Option::default")]
    pub thumbnail: Option<String>,
    /// Hash of a 1024 px preview (pictures only): what a content page shows, so that a page
    /// of many photos does not decode full-size images.
    #[autosurgeon(missing = "Option::default")]
    pub preview: Option<String>,
}
