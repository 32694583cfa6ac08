//! ISO base media files (MP4, M4A, QuickTime MOV; ISO/IEC 14496-12, QuickTime File Format):
//! what their tracks are, and where their metadata lives.
//!
//! Whether a file is a sound or a video is read from its tracks' handlers (`moov/trak/mdia/
//! hdlr`: `vide`, `soun`), never from its brand: WebKit's MediaRecorder writes a sound as a
//! fragmented MP4 of brand `iso5`, Android voice recorders as `isom`.
//!
//! Metadata (the recording place as `©xyz`, `loci` or Apple's `com.apple.quicktime.location.
//! ISO6709` key; the device, the date) lives in `udta` and `meta` boxes at the top, in `moov`
//! and in each `trak`, and XMP in `uuid` boxes. Each such box is blanked in the stored copy:
//! renamed `free` (a box every reader skips) and its contents zeroed. Its size stays, so no
//! chunk offset into `mdat` moves and nothing is re-muxed or re-encoded; the sound and picture
//! are the recorder's bytes. (A remuxing library would rewrite the layout and every offset to
//! drop a few hundred bytes; blanking needs none of that.)
//!
//! Only box headers are read (a 500 MB video is never read whole), at most [`MAX_BOXES`].

use std::io::{self, Read, Seek};

use crate::edit::read_at;

use crate::sniff::MediaKind;

/// Boxes walked in one file at most (a real file has a few dozen; a long fragmented
/// recording a few per second of it).
pub const MAX_BOXES: usize = 500_000;

/// A box: where it starts, its header's length, where it ends, and its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoxAt {
    pub start: u64,
    pub header: u64,
    pub end: u64,
    pub kind: [u8; 4],
}

/// The boxes directly inside `[from, to)`. `Err`: a box runs past its parent or the file is
/// cut off, or more than [`MAX_BOXES`] are walked.
pub(crate) fn children<S: Read + Seek>(
    source: &mut S,
    from: u64,
    to: u64,
    walked: &mut usize,
) -> Result<Vec<BoxAt>, String> {
    let mut out = Vec::new();
    let mut at = from;
    // A parent may end in fewer than 8 bytes of padding.
    while to.saturating_sub(at) >= 8 {
        *walked += 1;
        if *walked > MAX_BOXES {
            return Err(format!("more than {MAX_BOXES} boxes"));
        }
        let mut head = [0u8; 16];
        read_at(source, at, &mut head[..8]).map_err(|_| "a box header is cut off")?;
        let size32 = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        let kind = [head[4], head[5], head[6], head[7]];
        let (size, header) = match size32 {
            0 => (to - at, 8),
            1 => {
                read_at(source, at + 8, &mut head[8..16]).map_err(|_| "a box size is cut off")?;
                let mut large = [0u8; 8];
                large.copy_from_slice(&head[8..16]);
                (u64::from_be_bytes(large), 16)
            }
            n => (u64::from(n), 8),
        };
        if size < header || at.saturating_add(size) > to {
            return Err(format!(
                "the {:?} box runs past the end of {}: it is cut off",
                String::from_utf8_lossy(&kind),
                if from == 0 { "the file" } else { "its parent" }
            ));
        }
        out.push(BoxAt {
            start: at,
            header,
            end: at + size,
            kind,
        });
        at += size;
    }
    Ok(out)
}

pub(crate) fn inside<S: Read + Seek>(
    source: &mut S,
    parent: &BoxAt,
    walked: &mut usize,
) -> Result<Vec<BoxAt>, String> {
    children(source, parent.start + parent.header, parent.end, walked)
}

/// Whether an ISO-BMFF file of `len` bytes holds a video track (`Video`), else a sound track
/// (`Audio`); `None` when it has no movie header or neither.
///
/// # Errors
/// A box that runs past its parent, a file cut off, too many boxes.
pub fn kind_by_tracks<S: Read + Seek>(
    source: &mut S,
    len: u64,
) -> Result<Option<MediaKind>, String> {
    let mut walked = 0;
    let top = children(source, 0, len, &mut walked)?;
    let mut sound = false;
    for moov in top.iter().filter(|b| &b.kind == b"moov") {
        for trak in inside(source, moov, &mut walked)?
            .iter()
            .filter(|b| &b.kind == b"trak")
        {
            for mdia in inside(source, trak, &mut walked)?
                .iter()
                .filter(|b| &b.kind == b"mdia")
            {
                for hdlr in inside(source, mdia, &mut walked)?
                    .iter()
                    .filter(|b| &b.kind == b"hdlr")
                {
                    // Version and flags (4), pre_defined (4), handler_type (4).
                    let mut handler = [0u8; 4];
                    if hdlr.end - hdlr.start < hdlr.header + 12 {
                        return Err("a track's handler box is too short".into());
                    }
                    read_at(source, hdlr.start + hdlr.header + 8, &mut handler)
                        .map_err(|_| "a track's handler is cut off")?;
                    match &handler {
                        b"vide" => return Ok(Some(MediaKind::Video)),
                        b"soun" => sound = true,
                        _ => {}
                    }
                }
            }
        }
    }
    Ok(sound.then_some(MediaKind::Audio))
}

/// The codec of each video track: the four-character type of its first sample entry
/// (`moov/trak/mdia/minf/stbl/stsd`: `avc1`, `hvc1`, `hev1`, `mp4v`, …).
///
/// # Errors
/// As [`kind_by_tracks`].
pub fn video_codecs<S: Read + Seek>(source: &mut S, len: u64) -> Result<Vec<[u8; 4]>, String> {
    let mut walked = 0;
    let mut codecs = Vec::new();
    let top = children(source, 0, len, &mut walked)?;
    let named = |boxes: Vec<BoxAt>, kind: &[u8; 4]| {
        boxes
            .into_iter()
            .filter(|b| &b.kind == kind)
            .collect::<Vec<_>>()
    };
    for moov in named(top, b"moov") {
        for trak in named(inside(source, &moov, &mut walked)?, b"trak") {
            for mdia in named(inside(source, &trak, &mut walked)?, b"mdia") {
                let parts = inside(source, &mdia, &mut walked)?;
                let mut video = false;
                for hdlr in parts.iter().filter(|b| &b.kind == b"hdlr") {
                    let mut handler = [0u8; 4];
                    if hdlr.end - hdlr.start >= hdlr.header + 12 {
                        read_at(source, hdlr.start + hdlr.header + 8, &mut handler)
                            .map_err(|_| "a track's handler is cut off")?;
                    }
                    video |= &handler == b"vide";
                }
                if !video {
                    continue;
                }
                for minf in named(parts, b"minf") {
                    for stbl in named(inside(source, &minf, &mut walked)?, b"stbl") {
                        for stsd in named(inside(source, &stbl, &mut walked)?, b"stsd") {
                            // Version and flags (4), entry count (4), then the entries.
                            let first = children(
                                source,
                                stsd.start + stsd.header + 8,
                                stsd.end,
                                &mut walked,
                            )?;
                            codecs.extend(first.first().map(|e| e.kind));
                        }
                    }
                }
            }
        }
    }
    Ok(codecs)
}

/// Boxes that hold other boxes, walked for metadata (not `stsd`'s sample entries, not `mdat`).
const CONTAINERS: [&[u8; 4]; 10] = [
    b"moov", b"trak", b"mdia", b"minf", b"dinf", b"stbl", b"edts", b"mvex", b"moof", b"traf",
];
/// How deep containers go here (`moov/trak/mdia/minf/stbl` is five).
const MAX_DEPTH: usize = 8;

/// The boxes of these kinds at the top and at any depth of the containers, in file order.
fn boxes_of<S: Read + Seek>(
    source: &mut S,
    len: u64,
    kinds: &[&[u8; 4]],
) -> Result<Vec<BoxAt>, String> {
    let mut walked = 0;
    let mut found = Vec::new();
    let mut pending = vec![(children(source, 0, len, &mut walked)?, 0usize)];
    while let Some((boxes, depth)) = pending.pop() {
        for b in boxes {
            if kinds.contains(&&b.kind) {
                found.push(b);
            } else if CONTAINERS.contains(&&b.kind) && depth < MAX_DEPTH {
                pending.push((inside(source, &b, &mut walked)?, depth + 1));
            }
        }
    }
    found.sort_by_key(|b| b.start);
    Ok(found)
}

/// The boxes that hold metadata (`udta`, `meta`, `uuid`: the recording place, the device, the
/// date, XMP) at the top and anywhere in the movie's and fragments' containers, in file order.
///
/// # Errors
/// As [`kind_by_tracks`].
pub fn metadata_boxes<S: Read + Seek>(source: &mut S, len: u64) -> Result<Vec<BoxAt>, String> {
    boxes_of(source, len, &[b"udta", b"meta", b"uuid"])
}

/// The padding boxes (`free`, `skip`): blanked like metadata on import, since a box renamed
/// `free` may still carry what it held.
///
/// # Errors
/// As [`kind_by_tracks`].
pub fn padding_boxes<S: Read + Seek>(source: &mut S, len: u64) -> Result<Vec<BoxAt>, String> {
    boxes_of(source, len, &[b"free", b"skip"])
}

/// Whether a box's contents are all zero (read a piece at a time).
///
/// # Errors
/// A read error.
pub fn is_blank<S: Read + Seek>(source: &mut S, b: &BoxAt) -> io::Result<bool> {
    crate::edit::all_zero(source, b.start + b.header, b.end)
}

/// The edits that blank `boxes` in the stored copy: each renamed `free` (a large size stays),
/// its contents zero. A box inside another blanked one is blanked with it.
pub fn blanking(boxes: &[BoxAt]) -> Vec<crate::edit::Edit> {
    use crate::edit::Edit;
    boxes
        .iter()
        .flat_map(|b| {
            [
                Edit::bytes(b.start + 4, *b"free", "an MP4 metadata box"),
                Edit::zeros(
                    b.start + b.header,
                    b.end - b.start - b.header,
                    "an MP4 metadata box",
                ),
            ]
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Cursor;

    /// A box of this type around `body` (32-bit size), for building test files.
    pub(crate) fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    }

    fn track(handler: &[u8; 4]) -> Vec<u8> {
        let mut hdlr = vec![0u8; 8];
        hdlr.extend_from_slice(handler);
        hdlr.extend_from_slice(&[0u8; 13]);
        boxed(b"trak", &boxed(b"mdia", &boxed(b"hdlr", &hdlr)))
    }

    fn movie(handlers: &[&[u8; 4]], udta: &[u8]) -> Vec<u8> {
        let mut moov = Vec::new();
        for h in handlers {
            moov.extend(track(h));
        }
        moov.extend(boxed(b"udta", udta));
        let mut file = boxed(b"ftyp", b"iso5\0\0\0\0iso5");
        file.extend(boxed(b"moov", &moov));
        file.extend(boxed(b"mdat", b"sound and picture"));
        file
    }

    #[test]
    fn the_kind_comes_from_the_tracks() {
        let kind = |f: Vec<u8>| kind_by_tracks(&mut Cursor::new(&f), f.len() as u64).unwrap();
        assert_eq!(kind(movie(&[b"soun"], b"")), Some(MediaKind::Audio));
        assert_eq!(
            kind(movie(&[b"soun", b"vide"], b"")),
            Some(MediaKind::Video)
        );
        assert_eq!(kind(movie(&[b"text"], b"")), None);
    }

    #[test]
    fn metadata_boxes_are_blanked_in_place_and_nothing_else_moves() {
        let file = movie(&[b"soun"], b"\xa9xyz+60.1699+024.9384/");
        let boxes = metadata_boxes(&mut Cursor::new(&file), file.len() as u64).unwrap();
        assert_eq!(boxes.len(), 1);
        let mut out = Vec::new();
        // Read in small pieces: a box may straddle reads.
        let mut reader = crate::edit::Edited::new(Cursor::new(&file), blanking(&boxes)).unwrap();
        let mut piece = [0u8; 7];
        loop {
            let n = reader.read(&mut piece).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&piece[..n]);
        }
        assert_eq!(out.len(), file.len());
        assert!(!out.windows(8).any(|w| w == b"+60.1699"));
        assert!(out.windows(4).any(|w| w == b"free"));
        assert!(out.ends_with(b"sound and picture"));
        let again = metadata_boxes(&mut Cursor::new(&out), out.len() as u64).unwrap();
        assert!(again.is_empty(), "a blanked box is no longer metadata");
        assert_eq!(
            kind_by_tracks(&mut Cursor::new(&out), out.len() as u64).unwrap(),
            Some(MediaKind::Audio)
        );
    }

    #[test]
    fn metadata_deeper_in_the_movie_and_a_box_renamed_free_are_found() {
        // udta inside mdia, and a udta renamed `free` with the place still in it.
        let mut hdlr = vec![0u8; 8];
        hdlr.extend_from_slice(b"soun");
        hdlr.extend_from_slice(&[0u8; 13]);
        let mut mdia = boxed(b"hdlr", &hdlr);
        mdia.extend(boxed(b"udta", b"\xa9xyz+60.1699+024.9384/"));
        let mut moov = boxed(b"trak", &boxed(b"mdia", &mdia));
        moov.extend(boxed(b"free", b"\xa9xyz+60.1699+024.9384/"));
        let mut file = boxed(b"ftyp", b"isom\0\0\0\0isom");
        file.extend(boxed(b"moov", &moov));
        let len = file.len() as u64;
        let metadata = metadata_boxes(&mut Cursor::new(&file), len).unwrap();
        assert_eq!(metadata.len(), 1, "the udta inside mdia");
        let padding = padding_boxes(&mut Cursor::new(&file), len).unwrap();
        assert_eq!(padding.len(), 1);
        assert!(!is_blank(&mut Cursor::new(&file), &padding[0]).unwrap());
        let mut out = Vec::new();
        let all = [metadata, padding].concat();
        crate::edit::Edited::new(Cursor::new(&file), blanking(&all))
            .unwrap()
            .read_to_end(&mut out)
            .unwrap();
        assert!(!out.windows(8).any(|w| w == b"+60.1699"));
        for b in &all {
            assert!(is_blank(&mut Cursor::new(&out), b).unwrap());
        }
    }

    #[test]
    fn a_box_past_its_parent_is_an_error_not_a_panic() {
        let mut file = movie(&[b"soun"], b"x");
        let moov_at = file.windows(4).position(|w| w == b"moov").unwrap() - 4;
        file[moov_at..moov_at + 4].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(kind_by_tracks(&mut Cursor::new(&file), file.len() as u64).is_err());
    }
}
