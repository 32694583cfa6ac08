//! Matroska/WebM: everything but the sound and pictures made `Void` in the stored copy
//! ([`metadata`], an allow-list at each level, for [`crate::tags`]), and whether a file is a
//! sound or a video by its tracks' types ([`kind_by_tracks`]). Element ids: RFC 9559 (Matroska)
//! and RFC 8794 (EBML); only headers are read.

use std::io::{Read, Seek};

use crate::edit::{Edit, Fill};
use crate::sniff::MediaKind;
use crate::webm::{
    header, read_at, size_bytes, uint, Header, BLOCK_GROUP, CLUSTER, CUES, DURATION, EBML, INFO,
    MAX_ELEMENTS, SEEK_HEAD, SEGMENT, SEGMENT_LEVEL, SIMPLE_BLOCK, TIMESTAMP,
};

const VOID: u32 = 0xEC;
const TRACKS: u32 = 0x1654_AE6B;
const TRACK_ENTRY: u32 = 0xAE;
const TRACK_TYPE: u32 = 0x83;
/// What a WebM keeps, level by level (RFC 9559 §5, RFC 8794 §11): every other element is
/// made `Void`, so that nothing a person or a program wrote about the recording (`Tags`,
/// `Attachments` such as cover art, `Chapters`, a title, a date, a name, an element of its own)
/// stays. A `Void`'s own bytes become zeros.
const CRC32: u32 = 0xBF;
const EBML_KEPT: [u32; 8] = [
    0x4286, 0x42F7, 0x42F2, 0x42F3, 0x4282, 0x4287, 0x4285, CRC32,
];
const SEGMENT_KEPT: [u32; 6] = [SEEK_HEAD, INFO, TRACKS, CLUSTER, CUES, CRC32];
/// `Info`: the timestamp scale, duration and segment UUID; `MuxingApp` and `WritingApp` are
/// kept as elements (the format requires them) with their text zeroed.
const INFO_KEPT: [u32; 6] = [0x2AD7B1, DURATION, 0x73A4, 0x4D80, 0x5741, CRC32];
const INFO_ZEROED: [u32; 2] = [0x4D80, 0x5741];
/// A cluster's timestamp, blocks and positions.
const CLUSTER_KEPT: [u32; 8] = [
    TIMESTAMP,
    SIMPLE_BLOCK,
    BLOCK_GROUP,
    0xA7,
    0xAB,
    CRC32,
    0x5854,
    0xAF,
];
const SEEK_HEAD_KEPT: [u32; 2] = [0x4DBB, CRC32];
const CUES_KEPT: [u32; 2] = [0xBB, CRC32];
/// A track keeps everything that says how to play it, not its `Name` or `CodecName`.
const TRACK_NAMED: [u32; 2] = [0x536E, 0x25_8688];

/// The segment of a Matroska/WebM file of `len` bytes: its data's start and end.
fn segment<S: Read + Seek>(source: &mut S, len: u64) -> Result<(u64, u64), String> {
    let no_segment = || "it has no Matroska segment".to_string();
    let ebml = header(source, 0, len)
        .filter(|h| h.id == EBML)
        .ok_or_else(no_segment)?;
    let segment = header(source, ebml.data + ebml.size.ok_or_else(no_segment)?, len)
        .filter(|h| h.id == SEGMENT)
        .ok_or_else(no_segment)?;
    Ok((
        segment.data,
        segment.size.map_or(len, |s| (segment.data + s).min(len)),
    ))
}

/// An element turned into a `Void` of the same length (RFC 8794 §17.2): id `0xEC`, a size
/// as wide as makes the lengths agree, zeros.
fn voided(h: &Header, what: &'static str) -> Option<[Edit; 2]> {
    let total = h.data - h.start + h.size?;
    let width = (total - 1).min(8);
    let body = total - 1 - width;
    let mut head = vec![VOID as u8];
    head.extend(size_bytes(body, width as usize)?);
    Some([
        Edit {
            at: h.start,
            fill: Fill::Bytes(head),
            what,
        },
        Edit {
            at: h.start + 1 + width,
            fill: Fill::Zeros(body),
            what,
        },
    ])
}

/// The edits that make everything of a WebM but its sound and pictures `Void` ([`crate::tags`]):
/// an allow-list at each level (`EBML_KEPT`, `SEGMENT_KEPT`, …), a `Void`'s bytes zeroed, the
/// text of `MuxingApp` and `WritingApp` zeroed, anything after a sized segment zeroed, and an
/// element cut off by the file's end zeroed from its start.
///
/// # Errors
/// No segment, an element that runs past its parent inside the file, an element of unknown
/// size other than a cluster, too many elements.
pub(crate) fn metadata<S: Read + Seek>(source: &mut S, len: u64) -> Result<Vec<Edit>, String> {
    let mut walk = Walk {
        edits: Vec::new(),
        elements: 0,
    };
    let ebml = header(source, 0, len)
        .filter(|h| h.id == EBML && h.size.is_some())
        .ok_or("it has no EBML header")?;
    walk.level(source, &ebml, &EBML_KEPT, &[])?;
    let (start, end) = segment(source, len)?;
    if end < len {
        walk.edits.push(Edit::zeros(end, len - end, "WebM tags"));
    }
    let mut at = start;
    while at < end {
        walk.count()?;
        let Some(h) = header(source, at, end) else {
            walk.cut_off(source, at, end, len)?;
            break;
        };
        match (h.id, h.size) {
            (CLUSTER, _) => {
                at = walk.cluster(source, &h, end, len)?;
                continue;
            }
            (INFO, Some(_)) => walk.level(source, &h, &INFO_KEPT, &INFO_ZEROED)?,
            (TRACKS, Some(_)) => walk.tracks(source, &h)?,
            (SEEK_HEAD, Some(_)) => walk.level(source, &h, &SEEK_HEAD_KEPT, &[])?,
            (CUES, Some(_)) => walk.level(source, &h, &CUES_KEPT, &[])?,
            (_, Some(_)) => walk.keep_or_void(&h, &SEGMENT_KEPT)?,
            (_, None) => return Err(format!("an element at byte {at} has no size")),
        }
        at = h.data + h.size.expect("sized");
    }
    Ok(walk.edits)
}

/// The state of [`metadata`]'s walk.
struct Walk {
    edits: Vec<Edit>,
    elements: usize,
}

impl Walk {
    fn count(&mut self) -> Result<(), String> {
        self.elements += 1;
        (self.elements <= MAX_ELEMENTS)
            .then_some(())
            .ok_or_else(|| format!("it has more than {MAX_ELEMENTS} elements"))
    }

    /// An element kept (its bytes as they are, a `Void`'s zeroed) or made `Void`.
    fn keep_or_void(&mut self, h: &Header, kept: &[u32]) -> Result<(), String> {
        let size = h
            .size
            .ok_or_else(|| format!("an element at byte {} has no size", h.start))?;
        if h.id == VOID {
            self.edits.push(Edit::zeros(h.data, size, "WebM tags"));
        } else if !kept.contains(&h.id) {
            let void = voided(h, "WebM tags")
                .ok_or_else(|| format!("an element at byte {} cannot be made void", h.start))?;
            self.edits.extend(void);
        }
        Ok(())
    }

    /// The children of `parent`, each kept or made `Void`, the text of those in `zeroed`
    /// zeroed.
    fn level<S: Read + Seek>(
        &mut self,
        source: &mut S,
        parent: &Header,
        kept: &[u32],
        zeroed: &[u32],
    ) -> Result<(), String> {
        for c in children(source, parent, parent.size.unwrap_or(0), &mut || {
            self.count()
        })? {
            if zeroed.contains(&c.id) {
                self.edits
                    .push(Edit::zeros(c.data, c.size.expect("sized"), "WebM tags"));
            } else {
                self.keep_or_void(&c, kept)?;
            }
        }
        Ok(())
    }

    /// `Tracks`: each `TrackEntry` without its names; anything else there made `Void`.
    fn tracks<S: Read + Seek>(&mut self, source: &mut S, tracks: &Header) -> Result<(), String> {
        for entry in children(source, tracks, tracks.size.unwrap_or(0), &mut || {
            self.count()
        })? {
            if entry.id != TRACK_ENTRY {
                self.keep_or_void(&entry, &[CRC32])?;
                continue;
            }
            for t in children(source, &entry, entry.size.unwrap_or(0), &mut || {
                self.count()
            })? {
                if TRACK_NAMED.contains(&t.id) {
                    self.edits
                        .extend(voided(&t, "a WebM track name").ok_or("a track name")?);
                } else if t.id == VOID {
                    self.keep_or_void(&t, &[])?;
                }
            }
        }
        Ok(())
    }

    /// A cluster's children kept or made `Void`; where the next element starts. A cluster of
    /// unknown size (a live recording's) ends where an element of the segment's level begins.
    fn cluster<S: Read + Seek>(
        &mut self,
        source: &mut S,
        h: &Header,
        end: u64,
        len: u64,
    ) -> Result<u64, String> {
        let stop = h.size.map_or(end, |s| (h.data + s).min(end));
        let mut at = h.data;
        while at < stop {
            self.count()?;
            let Some(c) = header(source, at, stop) else {
                self.cut_off(source, at, stop, len)?;
                return Ok(end);
            };
            if h.size.is_none() && SEGMENT_LEVEL.contains(&c.id) {
                return Ok(at);
            }
            self.keep_or_void(&c, &CLUSTER_KEPT)?;
            at = c.data + c.size.expect("sized: checked by keep_or_void");
        }
        Ok(stop)
    }

    /// An element at `at` that does not fit in its parent (ending at `end`): one the file's
    /// end (`len`) cuts off, as a recording stopped mid-write, has its bytes to the end zeroed;
    /// one that is malformed inside the file is refused.
    fn cut_off<S: Read + Seek>(
        &mut self,
        source: &mut S,
        at: u64,
        end: u64,
        len: u64,
    ) -> Result<(), String> {
        let parsed = header(source, at, u64::MAX);
        let cut = end == len
            && match parsed {
                Some(h) => h.size.is_none_or(|s| h.data.saturating_add(s) > len),
                // A few bytes of a header, or a cut-off element this app zeroed before.
                None => len - at < 12 || zeros_to_the_end(source, at, len),
            };
        if !cut {
            return Err(format!("an element at byte {at} is broken"));
        }
        self.edits.push(Edit::zeros(at, len - at, "WebM tags"));
        Ok(())
    }
}

/// Whether every byte from `at` to `len` is zero (read a piece at a time).
fn zeros_to_the_end<S: Read + Seek>(source: &mut S, mut at: u64, len: u64) -> bool {
    let mut piece = [0u8; 8192];
    while at < len {
        let n = (len - at).min(piece.len() as u64) as usize;
        if read_at(source, at, &mut piece[..n]).is_err() || piece[..n].iter().any(|&b| b != 0) {
            return false;
        }
        at += n as u64;
    }
    true
}

/// The elements directly inside `parent` (of `size` bytes of data).
fn children<S: Read + Seek>(
    source: &mut S,
    parent: &Header,
    size: u64,
    counted: &mut impl FnMut() -> Result<(), String>,
) -> Result<Vec<Header>, String> {
    let (mut at, end) = (parent.data, parent.data + size);
    let mut out = Vec::new();
    while at < end {
        counted()?;
        let c = header(source, at, end)
            .filter(|c| c.size.is_some())
            .ok_or_else(|| format!("an element at byte {at} runs past its parent"))?;
        at = c.data + c.size.expect("sized");
        out.push(c);
    }
    Ok(out)
}

/// Whether a Matroska/WebM file holds a video track, else a sound track, by its tracks'
/// `TrackType` (1 video, 2 audio; RFC 9559 §5.1.4.1.3); `None` when it names neither.
pub fn kind_by_tracks<S: Read + Seek>(source: &mut S, len: u64) -> Option<MediaKind> {
    let (mut at, end) = segment(source, len).ok()?;
    let mut elements = 0usize;
    let mut counted = || {
        elements += 1;
        (elements <= 100_000).then_some(()).ok_or_else(String::new)
    };
    while at < end {
        counted().ok()?;
        let h = header(source, at, end)?;
        if h.id == TRACKS {
            let mut kind = None;
            for entry in children(source, &h, h.size?, &mut counted).ok()? {
                if entry.id != TRACK_ENTRY {
                    continue;
                }
                for t in children(source, &entry, entry.size?, &mut counted).ok()? {
                    match (t.id, uint(source, &t)) {
                        (TRACK_TYPE, Some(1)) => return Some(MediaKind::Video),
                        (TRACK_TYPE, Some(2)) => kind = Some(MediaKind::Audio),
                        _ => {}
                    }
                }
            }
            return kind;
        }
        at = h.data + h.size?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webm::missing_duration;
    use crate::webm::tests::{cluster_with_a_block, element, file};
    use std::io::{Cursor, Read};

    #[test]
    fn sound_or_video_is_told_by_the_tracks_types() {
        let track = |kind: u8, codec: &[u8]| {
            let mut entry = element(&[0x83], &[kind]);
            entry.extend(element(&[0x86], codec));
            element(&[0xAE], &entry)
        };
        let tracks = |entries: &[Vec<u8>]| element(&TRACKS.to_be_bytes(), &entries.concat());
        // A sound whose title names a video codec is still a sound.
        let title = element(&INFO.to_be_bytes(), &element(&[0x7B, 0xA9], b"V_VP8 demo"));
        let f = file(&[title, tracks(&[track(2, b"A_OPUS")])]);
        assert_eq!(
            kind_by_tracks(&mut Cursor::new(&f), f.len() as u64),
            Some(MediaKind::Audio)
        );
        let f = file(&[tracks(&[track(2, b"A_OPUS"), track(1, b"V_VP9")])]);
        assert_eq!(
            kind_by_tracks(&mut Cursor::new(&f), f.len() as u64),
            Some(MediaKind::Video)
        );
        let f = file(&[cluster_with_a_block()]);
        assert_eq!(kind_by_tracks(&mut Cursor::new(&f), f.len() as u64), None);
    }

    #[test]
    fn titles_tags_and_attachments_become_void_of_the_same_length() {
        let info = element(
            &INFO.to_be_bytes(),
            &element(&[0x7B, 0xA9], b"Aino Virtanen"),
        );
        let tags = element(&0x1254_C367u32.to_be_bytes(), b"Kallio 60.1699 24.9384");
        let cover = element(&0x1941_A469u32.to_be_bytes(), &[7u8; 300]);
        let f = file(&[info, tags, cover, cluster_with_a_block()]);
        let edits = metadata(&mut Cursor::new(&f), f.len() as u64).unwrap();
        let mut out = Vec::new();
        crate::edit::Edited::new(Cursor::new(&f), edits)
            .unwrap()
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out.len(), f.len());
        for secret in [&b"Virtanen"[..], b"60.1699", &[7u8; 300]] {
            assert!(!out.windows(secret.len()).any(|w| w == secret));
        }
        // What is left reads as a WebM with its sound, and needs no more blanking.
        assert_eq!(
            missing_duration(&mut Cursor::new(&out), out.len() as u64).map(|d| d.duration),
            Some(20.0)
        );
        let again = metadata(&mut Cursor::new(&out), out.len() as u64).unwrap();
        assert_eq!(
            crate::edit::changes_anything(&mut Cursor::new(&out), &again).unwrap(),
            None
        );
    }

    fn blanked(f: &[u8]) -> Vec<u8> {
        let edits = metadata(&mut Cursor::new(f), f.len() as u64).unwrap();
        let mut out = Vec::new();
        crate::edit::Edited::new(Cursor::new(f), edits)
            .unwrap()
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out.len(), f.len());
        let again = metadata(&mut Cursor::new(&out), out.len() as u64).unwrap();
        assert_eq!(
            crate::edit::changes_anything(&mut Cursor::new(&out), &again).unwrap(),
            None
        );
        out
    }

    fn has(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn only_what_plays_is_kept_at_every_level() {
        let mut info = element(&[0x2A, 0xD7, 0xB1], &[0x0F, 0x42, 0x40]);
        info.extend(element(&[0x4D, 0x80], b"Aino's phone app"));
        info.extend(element(&[0x44, 0x61], &[1; 8])); // DateUTC
        let info = element(&INFO.to_be_bytes(), &info);
        // A cluster with an element of a tool's own among its blocks.
        let mut body = element(&[0xE7], &[0]);
        body.extend(element(&[0xA3], &[0x81, 0, 20, 0x80, 1, 2, 3]));
        body.extend(element(&[0x5A, 0x5A], b"Kallio 60.1699"));
        let cluster = element(&CLUSTER.to_be_bytes(), &body);
        let unknown = element(&[0x1F, 0x00, 0x00, 0x01], b"Virtanen");
        let f = file(&[info, cluster, unknown]);
        let out = blanked(&f);
        for secret in [&b"Aino"[..], b"Kallio", b"Virtanen", &[1; 8]] {
            assert!(!has(&out, secret), "{:?}", String::from_utf8_lossy(secret));
        }
        assert!(has(&out, &[0x81, 0, 20, 0x80, 1, 2, 3]), "the block stays");
        assert_eq!(
            missing_duration(&mut Cursor::new(&out), out.len() as u64).map(|d| d.duration),
            Some(20.0)
        );
    }

    #[test]
    fn tags_cut_off_by_the_end_are_zeroed_and_a_broken_middle_refused() {
        let tags = element(
            &0x1254_C367u32.to_be_bytes(),
            b"TITLE Aino Virtanen, Kallio",
        );
        let f = file(&[cluster_with_a_block(), tags[..tags.len() - 5].to_vec()]);
        let out = blanked(&f);
        assert!(!has(&out, b"Aino"));
        // A sized segment with bytes after it.
        let mut f = element(&EBML.to_be_bytes(), &element(&[0x42, 0x82], b"webm"));
        f.extend(element(&SEGMENT.to_be_bytes(), &cluster_with_a_block()));
        f.extend(b"Aino Virtanen");
        assert!(!has(&blanked(&f), b"Aino"));
        // An element claiming more than its parent holds, with the file going on after it.
        let mut lying = 0x1254_C367u32.to_be_bytes().to_vec();
        lying.extend([0xE4, 0x7F]); // 100 bytes, in a cluster of a few
        let mut body = element(&[0xE7], &[0]);
        body.extend(lying);
        let f = file(&[
            element(&CLUSTER.to_be_bytes(), &body),
            cluster_with_a_block(),
            vec![0xEC, 0x80 | 100],
            vec![0; 100],
        ]);
        assert!(metadata(&mut Cursor::new(&f), f.len() as u64).is_err());
    }
}
