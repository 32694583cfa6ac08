//! Sound and video are kept as they are; the container is checked so that a truncated or
//! mislabelled file is refused at import rather than failing in front of the class.

use std::io::{Read, Seek, SeekFrom};

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
        MediaType::Wav => {
            let mut header = [0u8; 8];
            read_at(source, 0, &mut header)
                .ok()
                .map(|()| u32::from_le_bytes([header[4], header[5], header[6], header[7]]))
                .filter(|declared| u64::from(*declared) + 8 <= len)
                .map(|_| ())
                .ok_or_else(|| "the file is shorter than its header says".to_string())
        }
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

fn read_at<S: Read + Seek>(source: &mut S, at: u64, buf: &mut [u8]) -> std::io::Result<()> {
    source.seek(SeekFrom::Start(at))?;
    source.read_exact(buf)
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
