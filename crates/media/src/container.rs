//! Sound and video keep their streams; the container is checked so that a truncated or
//! mislabelled file is refused at import rather than failing in front of the class, and a
//! WAV's size fields are made true in the stored copy ([`wav_sizes`]).

use std::io::{Read, Seek, SeekFrom};

use crate::edit::read_at;

use crate::error::{Error, Result};
use crate::sniff::MediaType;

/// Checks the container structure as far as it can be checked cheaply, reading only headers
/// (a 500 MB video is never read whole for this). `len` is the length of `source`.
pub(crate) fn check<S: Read + Seek>(
    name: &str,
    media: MediaType,
    source: &mut S,
    len: u64,
) -> Result<()> {
    let damaged = |why: String| Error::Damaged {
        name: name.into(),
        kind: media.kind().noun(),
        why,
    };
    let result = match media {
        MediaType::Mp4 | MediaType::M4a => check_boxes(source, len),
        // Streaming recorders leave the sizes as placeholders: judged by its chunks instead.
        MediaType::Wav => wav_sizes(source, len).map(drop),
        // Ogg, WebM and MP3 are streams: a cut-off end still plays up to the cut.
        _ if len < 32 => Err("the file is too short to hold any sound or picture".into()),
        _ => Ok(()),
    };
    result.map_err(damaged)?;
    source
        .seek(SeekFrom::Start(0))
        .map_err(|e| damaged(e.to_string()))?;
    Ok(())
}

/// Walks the top-level boxes of an MP4: each must fit in the file, and a `moov` must be there.
fn check_boxes<S: Read + Seek>(source: &mut S, len: u64) -> std::result::Result<(), String> {
    let mut at = 0u64;
    let mut moov = false;
    let mut header = [0u8; 16];
    while at < len {
        read_at(source, at, &mut header[..8]).map_err(|_| "a box header is cut off")?;
        let size32 = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
        let kind = [header[4], header[5], header[6], header[7]];
        let size = match size32 {
            0 => len - at, // the box runs to the end of the file
            1 => {
                read_at(source, at + 8, &mut header[8..16]).map_err(|_| "a box size is cut off")?;
                u64::from_be_bytes([
                    header[8], header[9], header[10], header[11], header[12], header[13],
                    header[14], header[15],
                ])
            }
            n => u64::from(n),
        };
        if size < 8 || at.saturating_add(size) > len {
            return Err(format!(
                "the {:?} box runs past the end of the file: it is cut off",
                String::from_utf8_lossy(&kind)
            ));
        }
        moov |= &kind == b"moov";
        at += size;
    }
    if !moov {
        return Err("it has no movie header (moov box)".into());
    }
    Ok(())
}

/// Chunks walked in a WAV at most, before and after its sound together.
const MAX_WAV_CHUNKS: usize = 64;

/// What the stored copy of a WAV changes: see [`wav_layout`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WavLayout {
    /// (offset, little-endian u32) for each size field that does not read as it should.
    pub fixes: Vec<(u64, [u8; 4])>,
    /// (start, body length) of every chunk but `fmt `, `fact` and `data`: tags, blanked by
    /// [`crate::tags`].
    pub other_chunks: Vec<(u64, u64)>,
    /// (start, length) of what follows the sound when it looks like chunks but does not fill
    /// the rest of the file exactly (a tag written one byte short, or past 64 chunks): all of
    /// it is blanked, as one `JUNK` chunk where it is 8 bytes or more.
    pub tail: Option<(u64, u64)>,
    /// An ID3v1 tag (`TAG`, 128 bytes) at the very end of a WAV whose sound runs to the end
    /// (its size a placeholder): zeroed where it lies.
    pub id3v1: Option<u64>,
}

/// The RIFF and `data` size fields of a WAV as they should read for a file of `len` bytes,
/// and its other chunks. Recorders that write as they record (a browser's, a phone's) leave 0
/// or 0xFFFFFFFF in the size fields, or a size from before they stopped; players then refuse
/// the file or stop early. The sound is whatever follows the `data` header up to the chunks
/// that tile the rest of the file exactly (editors write `LIST` there), else to the end
/// (RIFF/WAVE, Microsoft Multimedia Programming Interface and Data Specifications 1.0).
///
/// # Errors
/// No `RIFF`/`WAVE` header, no `fmt ` chunk of at least 16 bytes before the `data` chunk, a
/// chunk header cut off, or a file over 4 GiB.
pub(crate) fn wav_layout<S: Read + Seek>(
    source: &mut S,
    len: u64,
) -> std::result::Result<WavLayout, String> {
    let too_short = || "the file is too short to hold a WAV header".to_string();
    let mut header = [0u8; 12];
    read_at(source, 0, &mut header).map_err(|_| too_short())?;
    if &header[..4] != b"RIFF" || &header[8..12] != b"WAVE" {
        return Err("it has no RIFF/WAVE header".into());
    }
    let whole = u32::try_from(len - 8).map_err(|_| "a WAV cannot be over 4 GiB".to_string())?;
    let mut layout = WavLayout {
        fixes: Vec::new(),
        other_chunks: Vec::new(),
        tail: None,
        id3v1: None,
    };
    if u32::from_le_bytes([header[4], header[5], header[6], header[7]]) != whole {
        layout.fixes.push((4, whole.to_le_bytes()));
    }
    let (mut at, mut format) = (12u64, false);
    // A few chunks come before the sound (fmt, LIST, fact…): bounded all the same.
    for _ in 0..MAX_WAV_CHUNKS {
        let mut chunk = [0u8; 8];
        read_at(source, at, &mut chunk).map_err(|_| "a chunk header is cut off".to_string())?;
        let size = u64::from(u32::from_le_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]));
        let body = at + 8;
        match &chunk[..4] {
            // One format chunk of its documented sizes (16, 18, 40 with its extension; up to
            // 64 for rarer codecs); a second one is blanked like a tag.
            b"fmt " if !format => {
                if !(16..=64).contains(&size) || body + size > len {
                    return Err("its format chunk is damaged".into());
                }
                format = true;
            }
            b"data" => {
                if !format {
                    return Err("its sound comes before its format chunk".into());
                }
                let trailing = (body + size <= len)
                    .then(|| trailing_chunks(source, body + size, size & 1 == 1, len))
                    .flatten();
                let after = body + size;
                match trailing {
                    Some(chunks) => layout.other_chunks.extend(chunks),
                    None if after < len
                        && (looks_like_a_chunk(source, after, len)
                            || starts_with_a_tag(source, after, len)) =>
                    {
                        layout.tail = Some((after, len - after));
                    }
                    _ => {
                        if len >= body + 128 && starts_with_a_tag(source, len - 128, len) {
                            layout.id3v1 = Some(len - 128);
                        }
                        let there = len - body;
                        if size != there {
                            layout.fixes.push((at + 4, (there as u32).to_le_bytes()));
                        }
                    }
                }
                return Ok(layout);
            }
            // The sample count: 4 bytes (a longer one is blanked like a tag).
            b"fact" if size == 4 => {}
            _ => {
                if body + size > len {
                    return Err("a chunk runs past the end of the file".into());
                }
                layout.other_chunks.push((at, size));
            }
        }
        // Chunks are padded to an even length.
        at = body + size + (size & 1);
        if at + 8 > len {
            break;
        }
    }
    Err("it has no sound (no data chunk)".into())
}

/// The chunks from `at` to the end of the file, if they fill it exactly with ids of printable
/// ASCII (an editor's `LIST` after the sound); `None` otherwise (the sound's size is then a
/// placeholder, and the sound runs to the end).
fn trailing_chunks<S: Read + Seek>(
    source: &mut S,
    data_end: u64,
    odd: bool,
    len: u64,
) -> Option<Vec<(u64, u64)>> {
    let (mut at, mut pad, mut chunks) = (data_end, odd, Vec::new());
    for _ in 0..MAX_WAV_CHUNKS {
        // Chunks are padded to an even length; a last pad byte may be missing.
        if pad && at < len {
            at += 1;
        }
        if at == len {
            return Some(chunks);
        }
        let mut chunk = [0u8; 8];
        read_at(source, at, &mut chunk).ok()?;
        if !chunk[..4].iter().all(|b| (0x20..0x7F).contains(b)) || &chunk[..4] == b"data" {
            return None;
        }
        let size = u64::from(u32::from_le_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]));
        if at + 8 + size > len {
            return None;
        }
        chunks.push((at, size));
        (at, pad) = (at + 8 + size, size & 1 == 1);
    }
    None
}

/// Whether the bytes at `at` start like a chunk (an id of printable ASCII and a size within
/// the file): after the sound, a tag rather than more sound.
fn looks_like_a_chunk<S: Read + Seek>(source: &mut S, at: u64, len: u64) -> bool {
    let mut chunk = [0u8; 8];
    if len - at < 8 || read_at(source, at, &mut chunk).is_err() {
        return false;
    }
    let size = u64::from(u32::from_le_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]));
    chunk[..4].iter().all(|b| (0x20..0x7F).contains(b)) && size <= len - at
}

/// Whether an ID3 tag (`ID3`, v2) or an ID3v1 tag (`TAG`) starts at `at`: editors append them
/// to WAV files as they do to MP3.
fn starts_with_a_tag<S: Read + Seek>(source: &mut S, at: u64, len: u64) -> bool {
    let mut magic = [0u8; 3];
    len - at >= 3
        && read_at(source, at, &mut magic).is_ok()
        && (&magic == b"ID3" || &magic == b"TAG")
}

/// The size fixes of a WAV's stored copy ([`wav_layout`]).
pub(crate) fn wav_sizes<S: Read + Seek>(
    source: &mut S,
    len: u64,
) -> std::result::Result<Vec<(u64, [u8; 4])>, String> {
    wav_layout(source, len).map(|l| l.fixes)
}

/// The edits that write 4-byte fields (a WAV's sizes, a recording's lengths) in the stored copy.
pub(crate) fn patching(patches: &[(u64, [u8; 4])]) -> Vec<crate::edit::Edit> {
    patches
        .iter()
        .map(|(at, bytes)| crate::edit::Edit::bytes(*at, *bytes, "a size field"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// A WAV of `samples` bytes of sound, with these size fields.
    fn wav(riff: u32, data: u32, samples: usize) -> Vec<u8> {
        let mut w = b"RIFF".to_vec();
        w.extend(riff.to_le_bytes());
        w.extend(b"WAVEfmt ");
        w.extend(16u32.to_le_bytes());
        w.extend([1, 0, 1, 0, 0x40, 0x1F, 0, 0, 0x80, 0x3E, 0, 0, 2, 0, 16, 0]);
        w.extend(b"data");
        w.extend(data.to_le_bytes());
        w.extend((0..samples).map(|i| (i % 251) as u8));
        w
    }

    fn stored(file: &[u8]) -> Vec<u8> {
        let fixes = wav_sizes(&mut Cursor::new(file), file.len() as u64).unwrap();
        let mut out = Vec::new();
        crate::edit::Edited::new(Cursor::new(file), patching(&fixes))
            .unwrap()
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn a_streaming_recorders_placeholder_sizes_are_made_true() {
        let right = wav(36 + 1000, 1000, 1000);
        assert_eq!(stored(&right), right, "a right WAV stays byte for byte");
        for (riff, data) in [
            (0, 0),
            (u32::MAX, u32::MAX),
            (36 + 900, 900),
            (36 + 1200, 1200),
        ] {
            assert_eq!(
                stored(&wav(riff, data, 1000)),
                right,
                "sizes {riff}, {data}"
            );
        }
    }

    #[test]
    fn a_wav_without_format_or_sound_is_refused() {
        let mut no_fmt = wav(0, 0, 100);
        no_fmt[12..16].copy_from_slice(b"junk");
        assert!(wav_sizes(&mut Cursor::new(&no_fmt), no_fmt.len() as u64).is_err());
        let header_only = &wav(0, 0, 0)[..36];
        assert!(wav_sizes(&mut Cursor::new(header_only), 36).is_err());
        assert!(wav_sizes(&mut Cursor::new(b"RIFF"), 4).is_err());
    }
}
