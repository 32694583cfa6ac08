//! Rewrites of byte ranges of a file in place, read through: how the stored copy of a sound
//! or WebM differs from what was imported ([`crate::tags`] finds them) without moving a byte.

use std::io::{self, Read, Seek, SeekFrom};

/// A rewrite of `[at, at + len)` in the stored copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub at: u64,
    pub fill: Fill,
    /// What is blanked, for a refusal's message ("an ID3 tag").
    pub what: &'static str,
}

/// What an [`Edit`] writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fill {
    /// This many zero bytes.
    Zeros(u64),
    /// These bytes.
    Bytes(Vec<u8>),
}

impl Edit {
    pub(crate) fn zeros(at: u64, len: u64, what: &'static str) -> Self {
        Self {
            at,
            fill: Fill::Zeros(len),
            what,
        }
    }

    /// Zeros over `len` bytes from `at`, but for one byte `1` at `framing` (within them): an
    /// emptied Vorbis comment header keeps its framing bit (Vorbis I §5.2.1), in an Ogg page
    /// or a WebM track's CodecPrivate alike.
    pub(crate) fn zeros_but_framing(
        at: u64,
        len: u64,
        framing: u64,
        what: &'static str,
    ) -> [Self; 3] {
        [
            Self::zeros(at, framing - at, what),
            Self::bytes(framing, [1u8], what),
            Self::zeros(framing + 1, at + len - framing - 1, what),
        ]
    }

    pub(crate) fn bytes(at: u64, bytes: impl Into<Vec<u8>>, what: &'static str) -> Self {
        Self {
            at,
            fill: Fill::Bytes(bytes.into()),
            what,
        }
    }

    pub fn len(&self) -> u64 {
        match &self.fill {
            Fill::Zeros(n) => *n,
            Fill::Bytes(b) => b.len() as u64,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn end(&self) -> u64 {
        self.at + self.len()
    }

    /// The byte this edit writes at `pos` (within it).
    fn byte(&self, pos: u64) -> u8 {
        match &self.fill {
            Fill::Zeros(_) => 0,
            Fill::Bytes(b) => b[(pos - self.at) as usize],
        }
    }
}

/// The first edit that would change a byte of `source` (a stored copy needs none), if any.
///
/// # Errors
/// A read error.
pub fn changes_anything<'e, S: Read + Seek>(
    source: &mut S,
    edits: &'e [Edit],
) -> io::Result<Option<&'e Edit>> {
    let mut piece = vec![0u8; 64 << 10];
    for edit in edits {
        let mut at = edit.at;
        while at < edit.end() {
            let n = (edit.end() - at).min(piece.len() as u64) as usize;
            source.seek(SeekFrom::Start(at))?;
            source.read_exact(&mut piece[..n])?;
            if piece[..n]
                .iter()
                .enumerate()
                .any(|(i, b)| *b != edit.byte(at + i as u64))
            {
                return Ok(Some(edit));
            }
            at += n as u64;
        }
    }
    Ok(None)
}

/// `source` read with `edits` applied, wherever it is read from (it seeks).
#[derive(Debug)]
pub struct Edited<S> {
    source: S,
    edits: Vec<Edit>,
    at: u64,
}

impl<S: Seek> Edited<S> {
    /// `edits` in any order; one that starts inside an earlier one is dropped. Read from where
    /// `source` is.
    pub fn new(mut source: S, mut edits: Vec<Edit>) -> io::Result<Self> {
        edits.sort_by_key(|e| e.at);
        // An edit inside an earlier one (a box nested in a blanked box, a field inside it)
        // goes with it: what is kept never overlaps, which `read` relies on.
        let mut end = 0;
        edits.retain(|e| {
            let keep = e.at >= end;
            if keep {
                end = e.end();
            }
            keep
        });
        let at = source.stream_position()?;
        Ok(Self { source, edits, at })
    }
}

impl<S: Read> Read for Edited<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.source.read(buf)?;
        let (from, to) = (self.at, self.at + n as u64);
        // The first edit that may reach this piece: edits are sorted and do not overlap.
        let first = self.edits.partition_point(|e| e.end() <= from);
        for edit in self.edits[first..].iter().take_while(|e| e.at < to) {
            for pos in from.max(edit.at)..to.min(edit.end()) {
                buf[(pos - from) as usize] = edit.byte(pos);
            }
        }
        self.at = to;
        Ok(n)
    }
}

impl<S: Seek> Seek for Edited<S> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.at = self.source.seek(pos)?;
        Ok(self.at)
    }
}

/// Fills `buf` from `source` at byte `at` (the crate's one positioned read).
pub(crate) fn read_at<S: Read + Seek>(source: &mut S, at: u64, buf: &mut [u8]) -> io::Result<()> {
    source.seek(SeekFrom::Start(at))?;
    source.read_exact(buf)
}

/// Whether every byte from `at` up to `end` is zero (read a piece at a time).
///
/// # Errors
/// A read error (a range past the end of the file included).
pub(crate) fn all_zero<S: Read + Seek>(source: &mut S, mut at: u64, end: u64) -> io::Result<bool> {
    let mut piece = [0u8; 8192];
    while at < end {
        let n = (end - at).min(piece.len() as u64) as usize;
        read_at(source, at, &mut piece[..n])?;
        if piece[..n].iter().any(|&b| b != 0) {
            return Ok(false);
        }
        at += n as u64;
    }
    Ok(true)
}
