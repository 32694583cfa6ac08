//! Matroska/WebM: everything but the sound and pictures made `Void` in the stored copy
//! ([`metadata`], an allow-list at each level, for [`crate::tags`]), and whether a file is a
//! sound or a video by its tracks' types ([`kind_by_tracks`]). Element ids: RFC 9559 (Matroska)
//! and RFC 8794 (EBML); only headers are read.

use std::io::{Read, Seek};

use crate::edit::{read_at, Edit, Fill};
use crate::sniff::MediaKind;
use crate::webm::{
    header, size_bytes, uint, Header, BLOCK_GROUP, CLUSTER, CUES, DURATION, EBML, INFO,
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
/// A `Seek`'s id and position; a `CuePoint`'s time and positions; a `BlockGroup`'s block, its
/// duration, references and padding.
const SEEK_KEPT: [u32; 3] = [0x53AB, 0x53AC, CRC32];
const CUE_POINT_KEPT: [u32; 3] = [0xB3, 0xB7, CRC32];
const BLOCK_GROUP_KEPT: [u32; 5] = [0xA1, 0x9B, 0xFB, 0x75A2, CRC32];
/// What says how to play a track (RFC 9559 §5.1.4.1): number, UID, type, flags, lacing,
/// default duration, timestamp scale, codec id and private data, codec delay, seek pre-roll,
/// language, the audio and video settings, content encodings. Not its `Name` or `CodecName`.
const TRACK_KEPT: [u32; 22] = [
    0xD7, 0x73C5, TRACK_TYPE, 0xB9, 0x88, 0x55AA, 0x55AB, 0x55AC, 0x9C, 0x6DE7, 0x23E383, 0x23314F,
    0x55EE, 0x86, 0x63A2, 0x56AA, 0x56BB, 0x22B59C, 0x22B59D, 0xE1, 0xE0, 0x6D80,
];
const CODEC_ID: u32 = 0x86;
const CODEC_PRIVATE: u32 = 0x63A2;
/// Elements kept whose size the format fixes or bounds: a larger one carries more than its
/// value, and is made `Void`. (CRC-32 4; SegmentUUID 16; DocType and CodecID short names; the
/// unsigned integers and floats at most 8.)
const SIZES: [(u32, u64); 10] = [
    (CRC32, 4),
    (0x73A4, 16),
    (0x4282, 16),
    (CODEC_ID, 32),
    (0x2AD7B1, 8),
    (DURATION, 8),
    (0xD7, 8),
    (0x73C5, 8),
    (TRACK_TYPE, 8),
    (TIMESTAMP, 8),
];

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
            (SEEK_HEAD, Some(_)) => walk.nested(source, &h, &SEEK_HEAD_KEPT, &SEEK_KEPT)?,
            (CUES, Some(_)) => walk.nested(source, &h, &CUES_KEPT, &CUE_POINT_KEPT)?,
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
        let oversized = SIZES.iter().any(|&(id, max)| id == h.id && size > max);
        if h.id == VOID {
            self.edits.push(Edit::zeros(h.data, size, "WebM tags"));
        } else if !kept.contains(&h.id) || oversized {
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

    /// A parent whose children are kept by `kept` and theirs by `inner` (a `SeekHead`'s
    /// `Seek`s, `Cues`' `CuePoint`s).
    fn nested<S: Read + Seek>(
        &mut self,
        source: &mut S,
        parent: &Header,
        kept: &[u32],
        inner: &[u32],
    ) -> Result<(), String> {
        for c in children(source, parent, parent.size.unwrap_or(0), &mut || {
            self.count()
        })? {
            self.keep_or_void(&c, kept)?;
            if kept.contains(&c.id) && c.id != CRC32 {
                self.level(source, &c, inner, &[])?;
            }
        }
        Ok(())
    }

    /// `Tracks`: each `TrackEntry` with only what plays it (`TRACK_KEPT`), a Vorbis track's
    /// comment header emptied inside its `CodecPrivate`; anything else there made `Void`.
    fn tracks<S: Read + Seek>(&mut self, source: &mut S, tracks: &Header) -> Result<(), String> {
        for entry in children(source, tracks, tracks.size.unwrap_or(0), &mut || {
            self.count()
        })? {
            if entry.id != TRACK_ENTRY {
                self.keep_or_void(&entry, &[CRC32])?;
                continue;
            }
            let inside = children(source, &entry, entry.size.unwrap_or(0), &mut || {
                self.count()
            })?;
            let mut vorbis = false;
            for t in &inside {
                if t.id == CODEC_ID && t.size == Some(8) {
                    let mut id = [0u8; 8];
                    read_at(source, t.data, &mut id).map_err(|e| e.to_string())?;
                    vorbis = &id == b"A_VORBIS";
                }
            }
            for t in &inside {
                self.keep_or_void(t, &TRACK_KEPT)?;
                if vorbis && t.id == CODEC_PRIVATE {
                    self.vorbis_comment(source, t)?;
                }
            }
        }
        Ok(())
    }

    /// A Vorbis track's `CodecPrivate`: its three headers, Xiph-laced (the Matroska codec
    /// mapping of `A_VORBIS`); the comment header keeps its magic and vendor length, the
    /// vendor, the comments and the rest become zeros but for the framing bit (Vorbis I §5).
    fn vorbis_comment<S: Read + Seek>(&mut self, source: &mut S, h: &Header) -> Result<(), String> {
        let size = h.size.unwrap_or(0);
        let malformed = || "its Vorbis headers are malformed".to_string();
        let mut at = h.data;
        let end = h.data + size;
        let mut byte = |at: &mut u64| -> Result<u8, String> {
            let mut b = [0u8; 1];
            if *at >= end {
                return Err(malformed());
            }
            read_at(source, *at, &mut b).map_err(|_| malformed())?;
            *at += 1;
            Ok(b[0])
        };
        if byte(&mut at)? != 2 {
            return Err(malformed());
        }
        let mut sizes = [0u64; 2];
        for size in &mut sizes {
            loop {
                let b = byte(&mut at)?;
                *size += u64::from(b);
                if b < 255 {
                    break;
                }
            }
        }
        let comment = at + sizes[0];
        let comment_end = comment + sizes[1];
        let mut head = [0u8; 11];
        if comment_end > end || sizes[1] < 16 {
            return Err(malformed());
        }
        read_at(source, comment, &mut head).map_err(|_| malformed())?;
        if &head[..7] != b"\x03vorbis" {
            return Err(malformed());
        }
        let vendor = u64::from(u32::from_le_bytes(head[7..11].try_into().expect("4 bytes")));
        let framing = comment + 11 + vendor + 4;
        if framing >= comment_end {
            return Err(malformed());
        }
        let what = "a Vorbis comment header";
        self.edits.extend(Edit::zeros_but_framing(
            comment + 11,
            comment_end - comment - 11,
            framing,
            what,
        ));
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
            if c.id == BLOCK_GROUP {
                self.level(source, &c, &BLOCK_GROUP_KEPT, &[])?;
            }
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
                None => len - at < 12 || crate::edit::all_zero(source, at, len).unwrap_or(false),
            };
        if !cut {
            return Err(format!("an element at byte {at} is broken"));
        }
        self.edits.push(Edit::zeros(at, len - at, "WebM tags"));
        Ok(())
    }
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

    #[test]
    fn a_vorbis_tracks_comments_and_a_tools_own_elements_go() {
        // CodecPrivate: 2, laced sizes of the identification and comment headers, then the
        // three headers (RFC 9559's A_VORBIS mapping).
        let ident = b"\x01vorbis0123456789012345678901".to_vec();
        let mut comment = b"\x03vorbis".to_vec();
        comment.extend(4u32.to_le_bytes());
        comment.extend(b"Xiph");
        comment.extend(1u32.to_le_bytes());
        comment.extend(19u32.to_le_bytes());
        comment.extend(b"ARTIST=Aino Virtane");
        comment.push(1);
        let setup = b"\x05vorbis-setup".to_vec();
        let mut private = vec![2, ident.len() as u8, comment.len() as u8];
        private.extend(&ident);
        private.extend(&comment);
        private.extend(&setup);
        let mut entry = element(&[0xD7], &[1]);
        entry.extend(element(&[0x83], &[2]));
        entry.extend(element(&[0x86], b"A_VORBIS"));
        entry.extend(element(&[0x63, 0xA2], &private));
        entry.extend(element(&[0x7F, 0x7F], b"Kallio")); // a tool's own element
        let tracks = element(&TRACKS.to_be_bytes(), &element(&[0xAE], &entry));
        // A CRC-32 element carrying far more than a CRC, and a block group's stray child.
        let crc = element(&[0xBF], b"Aino Virtanen lives here");
        let mut group = element(&[0xA1], &[0x81, 0, 0, 0x80, 1]);
        group.extend(element(&[0x7E, 0x7E], b"60.1699"));
        let mut body = element(&[0xE7], &[0]);
        body.extend(element(&[0xA0], &group));
        let f = file(&[tracks, crc, element(&CLUSTER.to_be_bytes(), &body)]);
        let out = blanked(&f);
        for secret in [&b"Aino"[..], b"Kallio", b"60.1699", b"Xiph"] {
            assert!(!has(&out, secret), "{:?}", String::from_utf8_lossy(secret));
        }
        assert!(
            has(&out, b"vorbis0123") && has(&out, b"vorbis-setup"),
            "the codec stays"
        );
    }
}
