//! Sound and video are kept as they are; the container is checked so that a truncated or
//! mislabelled file is refused at import rather than failing in front of the class.

use crate::error::{Error, Result};
use crate::sniff::MediaType;

/// Checks the container structure as far as it can be checked cheaply.
pub(crate) fn check(name: &str, media: MediaType, bytes: &[u8]) -> Result<()> {
    let damaged = |why: &str| Error::Damaged {
        name: name.into(),
        kind: media.kind().noun(),
        why: why.into(),
    };
    match media {
        MediaType::Mp4 | MediaType::M4a => check_boxes(bytes).map_err(|why| damaged(&why)),
        MediaType::Wav => {
            let declared = bytes
                .get(4..8)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
            match declared {
                Some(n) if u64::from(n) + 8 <= bytes.len() as u64 => Ok(()),
                _ => Err(damaged("the file is shorter than its header says")),
            }
        }
        // Ogg, WebM and MP3 are streams: a cut-off end still plays up to the cut.
        _ if bytes.len() < 32 => Err(damaged(
            "the file is too short to hold any sound or picture",
        )),
        _ => Ok(()),
    }
}

/// Walks the top-level boxes of an MP4: each must fit in the file, and a `moov` must be there.
fn check_boxes(bytes: &[u8]) -> std::result::Result<(), String> {
    let mut at = 0usize;
    let mut moov = false;
    while at < bytes.len() {
        let header = bytes.get(at..at + 8).ok_or("a box header is cut off")?;
        let size32 = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
        let kind = &header[4..8];
        let size = match size32 {
            0 => (bytes.len() - at) as u64, // the box runs to the end of the file
            1 => {
                let ext = bytes.get(at + 8..at + 16).ok_or("a box size is cut off")?;
                u64::from_be_bytes([
                    ext[0], ext[1], ext[2], ext[3], ext[4], ext[5], ext[6], ext[7],
                ])
            }
            n => u64::from(n),
        };
        if size < 8 || at as u64 + size > bytes.len() as u64 {
            return Err(format!(
                "the {:?} box runs past the end of the file: it is cut off",
                String::from_utf8_lossy(kind)
            ));
        }
        moov |= kind == b"moov";
        at += size as usize;
    }
    if !moov {
        return Err("it has no movie header (moov box)".into());
    }
    Ok(())
}
