//! A fragmented MP4 as a live recorder writes it, made to show its length: the duration the
//! fragments really cover, and fragments that point at no sound blanked.
//!
//! WebKitGTK's MediaRecorder, where GStreamer lacks `isofmp4mux` (Debian 12's does), falls back
//! to `mp4mux` in fragment mode: the movie's duration (`mvhd`) and the fragments' total
//! (`mvex/mehd`) are left 0, so GStreamer shows the first second only, and the last fragment
//! header (`moof`) is written twice, the first copy with no `mdat` after it (its samples would
//! be read from the second header's bytes). Here the duration is measured from the fragments
//! (ISO/IEC 14496-12 §8.8: each `traf`'s `tfdt` start plus its `trun` sample durations, else
//! the `tfhd` or `trex` default) and written into `mvhd` and `mehd` when they say less; a `moof`
//! followed by another `moof` or by nothing is blanked like metadata. Nothing moves: fields of
//! the same size are rewritten, so every offset stays right.

use std::collections::HashMap;
use std::io::{Read, Seek};

use crate::edit::read_at;
use crate::iso::{children, inside, BoxAt};

/// What to change in the stored copy.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Repair {
    /// Fragment headers with no sound after them: to blank.
    pub stray: Vec<BoxAt>,
    /// 4-byte fields to rewrite: (file offset, new bytes).
    pub patches: Vec<(u64, [u8; 4])>,
}

/// A track's timescale (units per second) and where its fragments end, in those units.
#[derive(Debug, Default, Clone, Copy)]
struct Track {
    timescale: u64,
    default_duration: u64,
    end: u64,
}

/// Most bytes of a `trun` read at once: a crafted sample count never becomes an allocation.
const PIECE: usize = 64 * 1024;

/// What a fragmented MP4 of `len` bytes needs; nothing for an unfragmented one or one whose
/// durations are already right.
///
/// # Errors
/// A box that runs past its parent, a field cut off, too many boxes (as [`crate::iso`]).
pub fn repair<S: Read + Seek>(source: &mut S, len: u64) -> Result<Repair, String> {
    let mut walked = 0;
    let top = children(source, 0, len, &mut walked)?;
    let Some(moov) = top.iter().find(|b| &b.kind == b"moov") else {
        return Ok(Repair::default());
    };
    let movie = inside(source, moov, &mut walked)?;
    let (Some(mvhd), Some(mvex)) = (named(&movie, b"mvhd"), named(&movie, b"mvex")) else {
        return Ok(Repair::default()); // not fragmented
    };
    let mut tracks: HashMap<u32, Track> = HashMap::new();
    for trak in movie.iter().filter(|b| &b.kind == b"trak") {
        let parts = inside(source, trak, &mut walked)?;
        let Some(tkhd) = named(&parts, b"tkhd") else {
            continue;
        };
        let id = u32_by_version(source, &tkhd, 12, 20)?;
        let Some(mdia) = named(&parts, b"mdia") else {
            continue;
        };
        let Some(mdhd) = named(&inside(source, &mdia, &mut walked)?, b"mdhd") else {
            continue;
        };
        let timescale = u64::from(u32_by_version(source, &mdhd, 12, 20)?);
        tracks.insert(
            id,
            Track {
                timescale,
                ..Track::default()
            },
        );
    }
    let extends = inside(source, &mvex, &mut walked)?;
    for trex in extends.iter().filter(|b| &b.kind == b"trex") {
        let id = u32_at(source, trex, 4)?;
        if let Some(track) = tracks.get_mut(&id) {
            track.default_duration = u64::from(u32_at(source, trex, 12)?);
        }
    }

    let mut repair = Repair::default();
    for (i, moof) in top.iter().enumerate().filter(|(_, b)| &b.kind == b"moof") {
        let next = top.get(i + 1).map(|b| &b.kind);
        if next.is_none() || next == Some(b"moof") {
            repair.stray.push(*moof);
            continue;
        }
        for traf in inside(source, moof, &mut walked)?
            .iter()
            .filter(|b| &b.kind == b"traf")
        {
            fragment_end(source, traf, &mut tracks, &mut walked)?;
        }
    }

    let movie_scale = u64::from(u32_by_version(source, &mvhd, 12, 20)?);
    let length = tracks
        .values()
        .filter(|t| t.timescale > 0)
        .map(|t| (u128::from(t.end) * u128::from(movie_scale)).div_ceil(u128::from(t.timescale)))
        .max()
        .unwrap_or(0);
    let length = u64::try_from(length).map_err(|_| "a fragment's time is out of range")?;
    let at = versioned(source, &mvhd, 16, 24)?;
    duration_field(source, &mvhd, at, length, &mut repair)?;
    if let Some(mehd) = named(&extends, b"mehd") {
        duration_field(source, &mehd, 4, length, &mut repair)?;
    }
    Ok(repair)
}

/// Moves `tracks`' ends to where this track fragment ends.
fn fragment_end<S: Read + Seek>(
    source: &mut S,
    traf: &BoxAt,
    tracks: &mut HashMap<u32, Track>,
    walked: &mut usize,
) -> Result<(), String> {
    let parts = inside(source, traf, walked)?;
    let Some(tfhd) = named(&parts, b"tfhd") else {
        return Ok(());
    };
    let flags = u32_at(source, &tfhd, 0)? & 0x00ff_ffff;
    let id = u32_at(source, &tfhd, 4)?;
    let Some(track) = tracks.get_mut(&id) else {
        return Ok(());
    };
    // tfhd's optional fields, in order: base data offset (8), sample description index (4),
    // default sample duration (4).
    let mut default = track.default_duration;
    if flags & 0x08 != 0 {
        let at = 8 + if flags & 0x01 != 0 { 8 } else { 0 } + if flags & 0x02 != 0 { 4 } else { 0 };
        default = u64::from(u32_at(source, &tfhd, at)?);
    }
    let mut time = match named(&parts, b"tfdt") {
        Some(tfdt) if version(source, &tfdt)? == 1 => u64_at(source, &tfdt, 4)?,
        Some(tfdt) => u64::from(u32_at(source, &tfdt, 4)?),
        None => track.end,
    };
    for trun in parts.iter().filter(|b| &b.kind == b"trun") {
        time = time.saturating_add(run_duration(source, trun, default)?);
    }
    track.end = track.end.max(time);
    Ok(())
}

/// The duration of a track run's samples: each sample's own, or `default` for all.
fn run_duration<S: Read + Seek>(source: &mut S, trun: &BoxAt, default: u64) -> Result<u64, String> {
    let flags = u32_at(source, trun, 0)? & 0x00ff_ffff;
    let count = u64::from(u32_at(source, trun, 4)?);
    if flags & 0x100 == 0 {
        return Ok(count.saturating_mul(default));
    }
    let mut at = 8 + if flags & 0x01 != 0 { 4 } else { 0 } + if flags & 0x04 != 0 { 4 } else { 0 };
    // Per sample: duration, size, flags, composition offset, each 4 bytes when present.
    let stride = [0x100, 0x200, 0x400, 0x800]
        .iter()
        .filter(|f| flags & **f != 0)
        .count() as u64
        * 4;
    let body = trun.end - trun.start - trun.header;
    if at + count * stride > body {
        return Err("a track run lists more samples than it holds".into());
    }
    let mut total = 0u64;
    let mut piece = vec![0u8; PIECE - PIECE % stride as usize];
    let mut left = count * stride;
    while left > 0 {
        let n = left.min(piece.len() as u64) as usize;
        read_at(source, trun.start + trun.header + at, &mut piece[..n])
            .map_err(|_| "a track run is cut off")?;
        for sample in piece[..n].chunks_exact(stride as usize) {
            let d = u32::from_be_bytes([sample[0], sample[1], sample[2], sample[3]]);
            total = total.saturating_add(u64::from(d));
        }
        at += n as u64;
        left -= n as u64;
    }
    Ok(total)
}

/// Rewrites a full box's duration field at `at` (after its version and flags: 4 bytes in
/// version 0, 8 in version 1) to `length` when it says less.
fn duration_field<S: Read + Seek>(
    source: &mut S,
    b: &BoxAt,
    at: u64,
    length: u64,
    repair: &mut Repair,
) -> Result<(), String> {
    let offset = b.start + b.header + at;
    if version(source, b)? == 1 {
        if u64_at(source, b, at)? < length {
            let bytes = length.to_be_bytes();
            repair
                .patches
                .push((offset, [bytes[0], bytes[1], bytes[2], bytes[3]]));
            repair
                .patches
                .push((offset + 4, [bytes[4], bytes[5], bytes[6], bytes[7]]));
        }
    } else if u64::from(u32_at(source, b, at)?) < length {
        // A length past 32 bits (13 hours at 90 kHz) stays as it was.
        if let Ok(short) = u32::try_from(length) {
            repair.patches.push((offset, short.to_be_bytes()));
        }
    }
    Ok(())
}

fn named(boxes: &[BoxAt], kind: &[u8; 4]) -> Option<BoxAt> {
    boxes.iter().find(|b| &b.kind == kind).copied()
}

fn version<S: Read + Seek>(source: &mut S, b: &BoxAt) -> Result<u8, String> {
    Ok(u32_at(source, b, 0)?.to_be_bytes()[0])
}

/// `v0` or `v1`: a full box's field whose place depends on its version (64-bit times in 1).
fn versioned<S: Read + Seek>(source: &mut S, b: &BoxAt, v0: u64, v1: u64) -> Result<u64, String> {
    Ok(if version(source, b)? == 1 { v1 } else { v0 })
}

/// A 32-bit field at `v0` in a version-0 box, `v1` in a version-1 one.
fn u32_by_version<S: Read + Seek>(
    source: &mut S,
    b: &BoxAt,
    v0: u64,
    v1: u64,
) -> Result<u32, String> {
    let at = versioned(source, b, v0, v1)?;
    u32_at(source, b, at)
}

fn u32_at<S: Read + Seek>(source: &mut S, b: &BoxAt, at: u64) -> Result<u32, String> {
    let mut bytes = [0u8; 4];
    field(source, b, at, &mut bytes)?;
    Ok(u32::from_be_bytes(bytes))
}

fn u64_at<S: Read + Seek>(source: &mut S, b: &BoxAt, at: u64) -> Result<u64, String> {
    let mut bytes = [0u8; 8];
    field(source, b, at, &mut bytes)?;
    Ok(u64::from_be_bytes(bytes))
}

/// Reads a field `at` bytes into a box's body, which must hold it.
fn field<S: Read + Seek>(source: &mut S, b: &BoxAt, at: u64, out: &mut [u8]) -> Result<(), String> {
    let kind = String::from_utf8_lossy(&b.kind).into_owned();
    if b.start + b.header + at + out.len() as u64 > b.end {
        return Err(format!("the {kind:?} box is too short"));
    }
    read_at(source, b.start + b.header + at, out)
        .map_err(|_| format!("the {kind:?} box is cut off"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iso::tests::boxed;
    use std::io::Cursor;

    fn full(kind: &[u8; 4], version_flags: u32, fields: &[u32]) -> Vec<u8> {
        let mut body = version_flags.to_be_bytes().to_vec();
        fields.iter().for_each(|f| body.extend(f.to_be_bytes()));
        boxed(kind, &body)
    }

    /// A sound track (id 1, 1000 units/s), a movie at 600 units/s, with `fragments` of
    /// (tfdt, per-sample durations).
    fn recording(fragments: &[(u32, &[u32])], stray_last: bool) -> Vec<u8> {
        let mvhd = full(b"mvhd", 0, &[0, 0, 600, 0, 0x10000]);
        let tkhd = full(b"tkhd", 7, &[0, 0, 1, 0, 0]);
        let mdhd = full(b"mdhd", 0, &[0, 0, 1000, 0, 0]);
        let trak = boxed(b"trak", &[tkhd, boxed(b"mdia", &mdhd)].concat());
        let mehd = full(b"mehd", 0, &[0]);
        let trex = full(b"trex", 0, &[1, 1, 0, 0, 0]);
        let mvex = boxed(b"mvex", &[mehd, trex].concat());
        let mut file = boxed(b"ftyp", b"iso5\0\0\0\0iso5");
        file.extend(boxed(b"moov", &[mvhd, trak, mvex].concat()));
        for (i, (start, durations)) in fragments.iter().enumerate() {
            let mut run = vec![durations.len() as u32];
            run.extend(durations.iter());
            let traf = [
                full(b"tfhd", 0, &[1]),
                full(b"tfdt", 0, &[*start]),
                full(b"trun", 0x100, &run),
            ]
            .concat();
            let moof = boxed(b"moof", &boxed(b"traf", &traf));
            if stray_last && i + 1 == fragments.len() {
                file.extend(&moof);
            }
            file.extend(moof);
            file.extend(boxed(b"mdat", &[1u8; 16]));
        }
        file
    }

    fn patched(file: &[u8], repair: &Repair) -> Vec<u8> {
        let mut out = Vec::new();
        let mut edits = crate::iso::blanking(&repair.stray);
        edits.extend(crate::container::patching(&repair.patches));
        crate::edit::Edited::new(Cursor::new(file), edits)
            .unwrap()
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn the_fragments_length_goes_into_the_movie_and_its_extension() {
        let file = recording(&[(0, &[1000, 1000]), (2000, &[500, 600])], true);
        let repair = repair(&mut Cursor::new(&file), file.len() as u64).unwrap();
        assert_eq!(repair.stray.len(), 1, "the moof with no mdat after it");
        // 3,100 ms at 600 units/s: 1,860.
        assert_eq!(repair.patches.len(), 2);
        assert!(repair
            .patches
            .iter()
            .all(|(_, b)| *b == 1860u32.to_be_bytes()));
        let fixed = patched(&file, &repair);
        assert_eq!(fixed.len(), file.len(), "nothing moves");
        let again = super::repair(&mut Cursor::new(&fixed), fixed.len() as u64).unwrap();
        assert_eq!(
            again,
            Repair::default(),
            "a repaired file needs nothing more"
        );
    }

    #[test]
    fn a_file_with_the_right_length_or_no_fragments_stays_as_it_is() {
        let file = recording(&[(0, &[1000])], false);
        let mut right = file.clone();
        let repair = repair(&mut Cursor::new(&file), file.len() as u64).unwrap();
        for (at, bytes) in &repair.patches {
            right[*at as usize..*at as usize + 4].copy_from_slice(bytes);
        }
        assert_eq!(
            super::repair(&mut Cursor::new(&right), right.len() as u64).unwrap(),
            Repair::default()
        );
        let plain = boxed(b"moov", &full(b"mvhd", 0, &[0, 0, 600, 0, 0x10000]));
        assert_eq!(
            super::repair(&mut Cursor::new(&plain), plain.len() as u64).unwrap(),
            Repair::default()
        );
    }

    #[test]
    fn a_run_that_claims_more_samples_than_it_holds_is_refused_unread() {
        let mut file = recording(&[(0, &[1000])], false);
        // The trun's sample count (after its version and flags) made huge.
        let at = file.windows(4).position(|w| w == b"trun").unwrap() + 8;
        file[at..at + 4].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(repair(&mut Cursor::new(&file), file.len() as u64).is_err());
    }
}
