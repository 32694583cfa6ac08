//! WebM written live, as MediaRecorder writes it (Chromium, Firefox; Chromium bug 642012): no
//! `Duration` in the segment's `Info`, no `Cues`, clusters of unknown size. WebKitGTK will not
//! play such a file at all, other players cannot seek it or show its length. The stored copy
//! gets the duration, as `fix-webm-duration` and `ffmpeg -c copy` give it: measured from the
//! clusters' blocks, written into `Info`; nothing else is re-muxed.
//!
//! Writing a `Duration` makes `Info` longer, which moves everything after it; the only things
//! that point at positions are a `SeekHead` (turned into a `Void` of the same length, which
//! every reader skips: a reader without one walks the elements in order, as it must for a live
//! file anyway) and `Cues` (a file with cues is left as it is; recorders that write cues write
//! the duration too). Element ids and sizes: the Matroska specification (RFC 9559) and EBML
//! (RFC 8794).
//!
//! Only headers are read: a block's payload is skipped, never read.

use std::io::{Read, Seek, SeekFrom};

use crate::edit::read_at;

pub(crate) const EBML: u32 = 0x1A45_DFA3;
pub(crate) const SEGMENT: u32 = 0x1853_8067;
pub(crate) const SEEK_HEAD: u32 = 0x114D_9B74;
pub(crate) const INFO: u32 = 0x1549_A966;
pub(crate) const DURATION: u32 = 0x4489;
pub(crate) const CUES: u32 = 0x1C53_BB6B;
pub(crate) const CLUSTER: u32 = 0x1F43_B675;
pub(crate) const TIMESTAMP: u32 = 0xE7;
pub(crate) const SIMPLE_BLOCK: u32 = 0xA3;
pub(crate) const BLOCK_GROUP: u32 = 0xA0;
const BLOCK: u32 = 0xA1;
/// Elements that end a cluster of unknown size (the segment's children).
pub(crate) const SEGMENT_LEVEL: [u32; 8] = [
    CLUSTER,
    CUES,
    SEEK_HEAD,
    INFO,
    0x1654_AE6B,
    0x1254_C367,
    0x1043_A770,
    0x1941_A469,
];
/// Elements read at most, all levels together (a real recording of an hour has some tens of
/// thousands of blocks).
pub(crate) const MAX_ELEMENTS: usize = 2_000_000;
/// The most of the file before the end of `Info` that is rewritten in memory (a recorder
/// writes `Info` in its first few hundred bytes).
const MAX_HEAD: u64 = 1 << 20;

/// An element's header: id, where its data starts, its size (`None`: unknown).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Header {
    pub id: u32,
    pub start: u64,
    pub data: u64,
    pub size: Option<u64>,
}

/// An EBML variable-length integer at `at`: (value with its marker bit, value without it,
/// width). `None` at the end of the file or for a malformed first byte.
fn vint<S: Read + Seek>(source: &mut S, at: u64) -> Option<(u64, u64, usize)> {
    let mut first = [0u8; 1];
    read_at(source, at, &mut first).ok()?;
    let width = first[0].leading_zeros() as usize + 1;
    if width > 8 {
        return None;
    }
    let mut bytes = [0u8; 8];
    read_at(source, at, &mut bytes[..width]).ok()?;
    let raw = bytes[..width]
        .iter()
        .fold(0u64, |v, b| (v << 8) | u64::from(*b));
    let value = raw & (u64::MAX >> (64 - 7 * width));
    Some((raw, value, width))
}

/// The element header at `at`, whose data must end by `limit` (its parent's end, or the
/// file's): `None` for one that claims to run past it.
pub(crate) fn header<S: Read + Seek>(source: &mut S, at: u64, limit: u64) -> Option<Header> {
    let (id, _, id_width) = vint(source, at)?;
    let (_, size, size_width) = vint(source, at + id_width as u64)?;
    let unknown = size == u64::MAX >> (64 - 7 * size_width);
    let data = at + (id_width + size_width) as u64;
    if !unknown && data.checked_add(size)? > limit {
        return None;
    }
    Some(Header {
        id: u32::try_from(id).ok()?,
        start: at,
        data,
        size: (!unknown).then_some(size),
    })
}

pub(crate) fn uint<S: Read + Seek>(source: &mut S, h: &Header) -> Option<u64> {
    let size = usize::try_from(h.size?).ok().filter(|s| *s <= 8)?;
    let mut bytes = [0u8; 8];
    read_at(source, h.data, &mut bytes[..size]).ok()?;
    Some(
        bytes[..size]
            .iter()
            .fold(0, |v, b| (v << 8) | u64::from(*b)),
    )
}

/// What the stored copy needs: the segment's `Info` rewritten with a `Duration`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DurationFix {
    /// The whole `Info` element's span, and where its children start.
    info: (u64, u64),
    info_children: u64,
    /// The `SeekHead`'s span, turned into a `Void`.
    seek_head: Option<(u64, u64, u64)>,
    /// The segment's size field (position, width, value) when known, else `None`.
    segment_size: Option<(u64, usize, u64)>,
    /// In the segment's timestamp units.
    pub(crate) duration: f64,
}

/// Whether a WebM of `len` bytes lacks its duration, and the fix if it does (`None`: it has
/// one, has cues, or is not laid out as this can fix).
pub(crate) fn missing_duration<S: Read + Seek>(source: &mut S, len: u64) -> Option<DurationFix> {
    let ebml = header(source, 0, len).filter(|h| h.id == EBML)?;
    let segment = header(source, ebml.data + ebml.size?, len).filter(|h| h.id == SEGMENT)?;
    let segment_size = match segment.size {
        Some(size) => {
            let (_, _, id_width) = vint(source, segment.start)?;
            let at = segment.start + id_width as u64;
            Some((at, (segment.data - at) as usize, size))
        }
        None => None,
    };
    let end = segment.size.map_or(len, |s| (segment.data + s).min(len));
    let (mut info, mut seek_head) = (None, None);
    let mut times = Times::default();
    let mut elements = 0usize;
    let mut at = segment.data;
    while at < end {
        elements += 1;
        if elements > MAX_ELEMENTS {
            return None;
        }
        let h = header(source, at, end)?;
        match h.id {
            INFO => {
                let size = h.size?;
                // Rewritten in memory: only where a recorder writes it, near the start.
                if h.data + size > MAX_HEAD || info.is_some() {
                    return None;
                }
                let mut child = h.data;
                while child < h.data + size {
                    elements += 1;
                    if elements > MAX_ELEMENTS {
                        return None;
                    }
                    let c = header(source, child, h.data + size)?;
                    if c.id == DURATION {
                        return None;
                    }
                    child = c.data + c.size?;
                }
                info = Some(h);
                at = h.data + size;
            }
            SEEK_HEAD => {
                seek_head = Some((h.start, h.data, h.data + h.size?));
                at = h.data + h.size?;
            }
            CUES => return None,
            CLUSTER => {
                // Info after the sound: not a recorder's layout.
                info?;
                at = cluster(source, &h, end, &mut elements, &mut times)?;
            }
            _ => at = h.data + h.size?,
        }
    }
    let info = info?;
    // The last block lasts about as long as the gap before it (20 ms for Opus). Times are
    // in the segment's timestamp units (1 ms unless the file says otherwise).
    let duration = times.last?.checked_add(times.gap.clamp(0, 1000))?;
    Some(DurationFix {
        info: (info.start, info.data + info.size?),
        info_children: info.data,
        seek_head,
        segment_size,
        duration: duration as f64,
    })
}

/// The latest block time seen, and the gap before it.
#[derive(Debug, Default)]
struct Times {
    last: Option<i64>,
    gap: i64,
}

impl Times {
    fn saw(&mut self, t: i64) {
        if let Some(previous) = self.last.filter(|p| t > *p) {
            self.gap = t.saturating_sub(previous);
        }
        self.last = Some(self.last.map_or(t, |l| l.max(t)));
    }
}

/// Notes a cluster's block times (its timestamp plus each block's relative one) and returns
/// where the next element after it starts.
fn cluster<S: Read + Seek>(
    source: &mut S,
    h: &Header,
    end: u64,
    elements: &mut usize,
    times: &mut Times,
) -> Option<u64> {
    let stop = h.size.map_or(end, |s| (h.data + s).min(end));
    let (mut base, mut at) = (0i64, h.data);
    while at < stop {
        *elements += 1;
        if *elements > MAX_ELEMENTS {
            return None;
        }
        let c = header(source, at, stop)?;
        if h.size.is_none() && SEGMENT_LEVEL.contains(&c.id) {
            break; // an unknown-size cluster ends where the next segment child begins
        }
        match c.id {
            TIMESTAMP => base = i64::try_from(uint(source, &c)?).ok()?,
            SIMPLE_BLOCK => times.saw(base.checked_add(block_time(source, c.data)?)?),
            BLOCK_GROUP => {
                let group_end = c.data + c.size?;
                let mut inner = c.data;
                while inner < group_end {
                    *elements += 1;
                    if *elements > MAX_ELEMENTS {
                        return None;
                    }
                    let b = header(source, inner, group_end)?;
                    if b.id == BLOCK {
                        times.saw(base.checked_add(block_time(source, b.data)?)?);
                    }
                    inner = b.data + b.size?;
                }
            }
            _ => {}
        }
        at = c.data + c.size?;
    }
    Some(at.min(stop))
}

/// A block's timestamp relative to its cluster: after the track number, a signed 16-bit value.
fn block_time<S: Read + Seek>(source: &mut S, data: u64) -> Option<i64> {
    let (_, _, width) = vint(source, data)?;
    let mut time = [0u8; 2];
    read_at(source, data + width as u64, &mut time).ok()?;
    Some(i64::from(i16::from_be_bytes(time)))
}

/// An EBML size of `width` bytes.
pub(crate) fn size_bytes(value: u64, width: usize) -> Option<Vec<u8>> {
    if width == 0 || width > 8 || value >= (1u64 << (7 * width)) - 1 {
        return None;
    }
    let marked = value | (1u64 << (7 * width));
    Some(marked.to_be_bytes()[8 - width..].to_vec())
}

impl DurationFix {
    /// The stored copy's bytes up to the end of `Info` (the rest is the file's own, from
    /// [`DurationFix::rest_from`]). `None` when a size cannot be rewritten in place.
    pub(crate) fn head<S: Read + Seek>(&self, source: &mut S) -> Option<Vec<u8>> {
        let mut out = vec![0u8; usize::try_from(self.info_children).ok()?];
        read_at(source, 0, &mut out).ok()?;
        let mut children = vec![0u8; usize::try_from(self.info.1 - self.info_children).ok()?];
        read_at(source, self.info_children, &mut children).ok()?;
        // Duration: id 0x4489, size 8, a big-endian double.
        children.extend([0x44, 0x89, 0x88]);
        children.extend(self.duration.to_be_bytes());
        let grown = (children.len() as u64) + 4 + 8 - (self.info.1 - self.info.0);
        out.truncate(usize::try_from(self.info.0).ok()?);
        out.extend(INFO.to_be_bytes());
        out.extend(size_bytes(children.len() as u64, 8)?);
        out.extend(children);
        if let Some((at, width, size)) = self.segment_size {
            let field = size_bytes(size + grown, width)?;
            let at = usize::try_from(at).ok()?;
            out.get_mut(at..at + width)?.copy_from_slice(&field);
        }
        if let Some((start, data, end)) = self.seek_head {
            // A Void of the same length: id 0xEC and a size 3 bytes wider than the SeekHead's.
            if end > self.info.0 {
                return None; // after Info: not where recorders put it
            }
            let (start, data, end) = (start as usize, data as usize, end as usize);
            let width = data - start - 4 + 3;
            let mut void = vec![0xEC];
            void.extend(size_bytes((end - data) as u64, width)?);
            void.resize(end - start, 0);
            out[start..end].copy_from_slice(&void);
        }
        Some(out)
    }

    /// Where the file's own bytes continue after [`DurationFix::head`].
    pub(crate) fn rest_from(&self) -> u64 {
        self.info.1
    }
}

/// The duration a WebM's `Info` says, in its timestamp units (ms at the default scale), if it
/// says one.
pub fn duration_of<S: Read + Seek>(source: &mut S) -> Option<f64> {
    let len = source.seek(SeekFrom::End(0)).ok()?;
    let ebml = header(source, 0, len).filter(|h| h.id == EBML)?;
    let segment = header(source, ebml.data + ebml.size?, len).filter(|h| h.id == SEGMENT)?;
    let mut at = segment.data;
    for _ in 0..64 {
        let h = header(source, at, len)?;
        if h.id == INFO {
            let end = h.data + h.size?;
            let mut child = h.data;
            for _ in 0..1024 {
                if child >= end {
                    break;
                }
                let c = header(source, child, end)?;
                if c.id == DURATION && c.size == Some(8) {
                    let mut bytes = [0u8; 8];
                    read_at(source, c.data, &mut bytes).ok()?;
                    return Some(f64::from_be_bytes(bytes));
                }
                child = c.data + c.size?;
            }
            return None;
        }
        at = h.data + h.size?;
    }
    None
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Cursor;

    pub(crate) fn element(id: &[u8], body: &[u8]) -> Vec<u8> {
        let mut e = id.to_vec();
        e.extend(size_bytes(body.len() as u64, 8).unwrap());
        e.extend_from_slice(body);
        e
    }

    pub(crate) fn cluster_with_a_block() -> Vec<u8> {
        let mut body = element(&[0xE7], &[0]); // Timestamp 0
        body.extend(element(&[0xA3], &[0x81, 0, 20, 0x80, 1, 2, 3]));
        element(&CLUSTER.to_be_bytes(), &body)
    }

    pub(crate) fn file(parts: &[Vec<u8>]) -> Vec<u8> {
        let mut f = element(&EBML.to_be_bytes(), &element(&[0x42, 0x82], b"webm"));
        f.extend(SEGMENT.to_be_bytes());
        f.extend([0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]); // unknown size
        for p in parts {
            f.extend_from_slice(p);
        }
        f
    }

    #[test]
    fn a_recorders_layout_gets_its_duration() {
        let info = element(&INFO.to_be_bytes(), &element(&[0x4D, 0x80], b"Chrome"));
        let f = file(&[info, cluster_with_a_block()]);
        let fix = missing_duration(&mut Cursor::new(&f), f.len() as u64).unwrap();
        let mut out = fix.head(&mut Cursor::new(&f)).unwrap();
        out.extend_from_slice(&f[fix.rest_from() as usize..]);
        assert_eq!(duration_of(&mut Cursor::new(&out)), Some(20.0));
    }

    #[test]
    fn crafted_sizes_and_layouts_are_left_alone_without_allocating() {
        // Info claiming 2^55 bytes, with a child of the same size.
        let mut huge = INFO.to_be_bytes().to_vec();
        huge.extend([0x01, 0x80, 0, 0, 0, 0, 0, 0]);
        huge.extend([0xEC, 0x01, 0x80, 0, 0, 0, 0, 0, 0]);
        let f = file(&[cluster_with_a_block(), huge]);
        assert_eq!(missing_duration(&mut Cursor::new(&f), f.len() as u64), None);
        // Info after the sound, and an Info further in than a recorder writes it.
        let info = element(&INFO.to_be_bytes(), &element(&[0x4D, 0x80], b"x"));
        let f = file(&[cluster_with_a_block(), info.clone()]);
        assert_eq!(missing_duration(&mut Cursor::new(&f), f.len() as u64), None);
        let void = element(&[0xEC], &vec![0u8; (MAX_HEAD + 1) as usize]);
        let f = file(&[void, info, cluster_with_a_block()]);
        assert_eq!(missing_duration(&mut Cursor::new(&f), f.len() as u64), None);
        // A block time at the edge of i64 does not overflow.
        let mut body = element(&[0xE7], &i64::MAX.to_be_bytes());
        body.extend(element(&[0xA3], &[0x81, 0x7F, 0xFF, 0x80]));
        let info = element(&INFO.to_be_bytes(), &element(&[0x4D, 0x80], b"x"));
        let f = file(&[info, element(&CLUSTER.to_be_bytes(), &body)]);
        assert_eq!(missing_duration(&mut Cursor::new(&f), f.len() as u64), None);
    }
}
