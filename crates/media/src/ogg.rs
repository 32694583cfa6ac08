//! Ogg: the comment header of every Vorbis or Opus stream emptied in place.
//!
//! An Ogg file is a run of pages (RFC 3533 §6: `OggS`, version 0, flags, granule position,
//! stream serial, page number, CRC, segment table, body); a stream's packets are laid across
//! its pages' segments. A Vorbis or Opus stream's second packet is its comment header (Vorbis
//! I §5.2: `\x03vorbis`, vendor, comments, framing bit; RFC 7845 §5.2: `OpusTags`, vendor,
//! comments). The stored copy keeps each such packet's length and vendor string and writes
//! "no comments" (then the framing bit for Vorbis, zeros after); every page the packet touched
//! gets its CRC recomputed. A chained file (streams one after another) has each emptied.
//!
//! The whole file's page headers are walked (a page is at most 64 KiB, its header at most 282
//! bytes; bodies are read only where a comment packet lies).

use std::collections::HashMap;
use std::io::{Read, Seek};

use crate::tags::{read_at, Edit};

/// Pages walked at most (an hour of Opus at its usual 1 s per page is some thousands).
const MAX_PAGES: usize = 4_000_000;

/// CRC-32 of Ogg pages: polynomial 0x04C11DB7, initial 0, not reflected, no final XOR (RFC 3533
/// §6 "CRC checksum"; libogg `framing.c`).
const OGG_CRC: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::Algorithm {
    width: 32,
    poly: 0x04C1_1DB7,
    init: 0,
    refin: false,
    refout: false,
    xorout: 0,
    check: 0x89A1_897F,
    residue: 0,
});

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Codec {
    Vorbis,
    Opus,
}

/// A logical stream's progress through its first packets.
#[derive(Debug)]
struct Stream {
    codec: Codec,
    /// Packets completed so far (the comment header is packet 1).
    packets: u32,
    /// Where the comment packet's bytes lie: (file offset, length), in order.
    comment: Vec<(u64, u64)>,
    /// Pages (start, length) the comment packet touched.
    pages: Vec<(u64, u64)>,
}

/// The edits that empty the comment header of every stream of an Ogg file of `len` bytes.
///
/// # Errors
/// Broken framing (no `OggS` where a page should start), a stream of a codec other than
/// Vorbis or Opus, a malformed comment header, too many pages, a read error.
pub(crate) fn comment_edits<S: Read + Seek>(source: &mut S, len: u64) -> Result<Vec<Edit>, String> {
    let mut streams: HashMap<u32, Stream> = HashMap::new();
    let mut edits = Vec::new();
    let mut at = 0u64;
    for _ in 0..MAX_PAGES {
        if at >= len {
            return Ok(edits);
        }
        let mut header = [0u8; 27];
        if read_at(source, at, &mut header).is_err() {
            return Ok(edits); // cut off in a page header: it plays up to the cut
        }
        if &header[..4] != b"OggS" || header[4] != 0 {
            return Err(format!("its pages are broken at byte {at}"));
        }
        let first_page = header[5] & 0x02 != 0;
        let serial = u32::from_le_bytes(header[14..18].try_into().expect("4 bytes"));
        let mut lacing = vec![0u8; usize::from(header[26])];
        if read_at(source, at + 27, &mut lacing).is_err() {
            return Ok(edits);
        }
        let body = at + 27 + lacing.len() as u64;
        let page_len = body - at + lacing.iter().map(|&l| u64::from(l)).sum::<u64>();
        if first_page {
            let mut magic = [0u8; 8];
            read_at(source, body, &mut magic).map_err(|_| "its first page is cut off")?;
            let codec = match &magic {
                [1, b'v', b'o', b'r', b'b', b'i', b's', _] => Codec::Vorbis,
                b"OpusHead" => Codec::Opus,
                _ => return Err("it holds a stream that is neither Vorbis nor Opus sound".into()),
            };
            streams.insert(
                serial,
                Stream {
                    codec,
                    packets: 0,
                    comment: Vec::new(),
                    pages: Vec::new(),
                },
            );
        }
        let Some(stream) = streams.get_mut(&serial) else {
            return Err(format!("a page at byte {at} belongs to no stream"));
        };
        if stream.packets <= 1 {
            let mut offset = body;
            for &lace in &lacing {
                if stream.packets == 1 {
                    stream.comment.push((offset, u64::from(lace)));
                    if stream.pages.last() != Some(&(at, page_len)) {
                        stream.pages.push((at, page_len));
                    }
                }
                offset += u64::from(lace);
                if lace < 255 {
                    stream.packets += 1;
                    if stream.packets == 2 {
                        edits.extend(empty_comment(source, stream)?);
                        break;
                    }
                }
            }
        }
        at += page_len;
    }
    Err(format!("it has more than {MAX_PAGES} pages"))
}

/// The edits that empty one stream's complete comment packet and fix its pages' CRCs.
fn empty_comment<S: Read + Seek>(source: &mut S, stream: &Stream) -> Result<Vec<Edit>, String> {
    let total: u64 = stream.comment.iter().map(|(_, n)| n).sum();
    let (magic, framing): (&[u8], bool) = match stream.codec {
        Codec::Vorbis => (b"\x03vorbis", true),
        Codec::Opus => (b"OpusTags", false),
    };
    let malformed = || "its comment header is malformed".to_string();
    // The packet's start: magic and vendor length, then the vendor string.
    let start_len = magic.len() as u64 + 4;
    if total < start_len + 4 + u64::from(framing) {
        return Err(malformed());
    }
    let start = read_packet(source, &stream.comment, 0, start_len as usize)?;
    if &start[..magic.len()] != magic {
        return Err(malformed());
    }
    let vendor = u64::from(u32::from_le_bytes(
        start[magic.len()..].try_into().expect("4 bytes"),
    ));
    let kept = start_len + vendor;
    if total < kept + 4 + u64::from(framing) {
        return Err(malformed());
    }
    // After the vendor: no comments, the framing bit (Vorbis), zeros.
    let mut packet_tail = vec![0u8; 4];
    if framing {
        packet_tail.push(1);
    }
    let mut edits = Vec::new();
    let mut packet_at = 0u64; // position within the packet
    for &(offset, n) in &stream.comment {
        let (from, to) = (packet_at, packet_at + n);
        if to > kept {
            let skip = kept.saturating_sub(from);
            let bytes: Vec<u8> = (from + skip..to)
                .map(|p| {
                    let i = (p - kept) as usize;
                    packet_tail.get(i).copied().unwrap_or(0)
                })
                .collect();
            edits.push(Edit {
                at: offset + skip,
                fill: crate::tags::Fill::Bytes(bytes),
                what: "an Ogg comment header",
            });
        }
        packet_at = to;
    }
    for &(page, page_len) in &stream.pages {
        let mut bytes = vec![0u8; page_len as usize];
        read_at(source, page, &mut bytes).map_err(|e| e.to_string())?;
        for edit in edits
            .iter()
            .filter(|e| e.at >= page && e.at < page + page_len)
        {
            if let crate::tags::Fill::Bytes(b) = &edit.fill {
                let i = (edit.at - page) as usize;
                bytes[i..i + b.len()].copy_from_slice(b);
            }
        }
        bytes[22..26].fill(0);
        let crc = OGG_CRC.checksum(&bytes);
        edits.push(Edit {
            at: page + 22,
            fill: crate::tags::Fill::Bytes(crc.to_le_bytes().to_vec()),
            what: "an Ogg comment header",
        });
    }
    Ok(edits)
}

/// `n` bytes of a packet laid out as `pieces`, from position `from` within it.
fn read_packet<S: Read + Seek>(
    source: &mut S,
    pieces: &[(u64, u64)],
    from: u64,
    n: usize,
) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(n);
    let mut packet_at = 0u64;
    for &(offset, len) in pieces {
        if out.len() == n {
            break;
        }
        let (start, end) = (packet_at, packet_at + len);
        packet_at = end;
        if end <= from {
            continue;
        }
        let skip = from.saturating_sub(start);
        let take = (len - skip).min((n - out.len()) as u64) as usize;
        let mut piece = vec![0u8; take];
        read_at(source, offset + skip, &mut piece).map_err(|e| e.to_string())?;
        out.extend(piece);
    }
    if out.len() < n {
        return Err("its comment header is cut off".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// Whether every page's CRC is right.
    fn pages_check(file: &[u8]) -> usize {
        let mut at = 0;
        let mut pages = 0;
        while at < file.len() {
            assert_eq!(&file[at..at + 4], b"OggS");
            let segments = file[at + 26] as usize;
            let body: usize = file[at + 27..at + 27 + segments]
                .iter()
                .map(|&l| l as usize)
                .sum();
            let len = 27 + segments + body;
            let mut page = file[at..at + len].to_vec();
            let stored = u32::from_le_bytes(page[22..26].try_into().unwrap());
            page[22..26].fill(0);
            assert_eq!(OGG_CRC.checksum(&page), stored, "page at {at}");
            at += len;
            pages += 1;
        }
        pages
    }

    #[test]
    fn an_opus_voice_notes_tags_go_and_every_page_stays_true() {
        // Made by GStreamer's opusenc and oggmux (assets/field/10-tagged-sound/README.md).
        let file = include_bytes!("../../../assets/field/10-tagged-sound/voice-note.opus");
        assert!(pages_check(file) > 2, "the CRC is libogg's");
        let mut cursor = std::io::Cursor::new(&file[..]);
        let edits = comment_edits(&mut cursor, file.len() as u64).unwrap();
        cursor.set_position(0);
        let mut out = Vec::new();
        crate::tags::Edited::new(cursor, edits)
            .unwrap()
            .read_to_end(&mut out)
            .unwrap();
        pages_check(&out);
        let tags_at = out.windows(8).position(|w| w == b"OpusTags").unwrap();
        let vendor = u32::from_le_bytes(out[tags_at + 8..tags_at + 12].try_into().unwrap());
        let count_at = tags_at + 12 + vendor as usize;
        assert_eq!(&out[count_at..count_at + 4], &[0, 0, 0, 0], "no comments");
        assert!(!out.windows(8).any(|w| w == b"Virtanen"));
    }

    #[test]
    fn the_page_crc_is_oggs() {
        // The check value of the Ogg CRC over "123456789" (CRC RevEng catalogue's
        // CRC-32/MPEG-2 differs only by its initial value; this one is libogg's).
        assert_eq!(OGG_CRC.checksum(b"123456789"), 0x89A1_897F);
    }
}
