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

use crate::edit::{read_at, Edit, Fill};

/// Pages walked at most (an hour of Opus at its usual 1 s per page is some thousands).
const MAX_PAGES: usize = 4_000_000;
/// The largest comment header emptied (bytes): a music file's cover art fits; a bigger one is
/// refused rather than rewritten page by page.
const MAX_COMMENT: u64 = 16 << 20;

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
    // A stream whose comment header never ended: its tags could not be emptied.
    let finished = |streams: &HashMap<u32, Stream>, edits: Vec<Edit>| {
        if streams.is_empty() {
            return Err("it holds no sound".to_string());
        }
        if streams.values().any(|s| s.packets < 2) {
            return Err("its tags are cut off".to_string());
        }
        Ok(edits)
    };
    // A last page the file's end cuts off (a recording stopped mid-write) plays up to the cut;
    // its bytes, read by no player, are zeroed, and so are known when seen again.
    let cut_off = |edits: &mut Vec<Edit>, at: u64| {
        edits.push(Edit::zeros(at, len - at, "an Ogg page cut off"));
    };
    for _ in 0..MAX_PAGES {
        if at >= len {
            return finished(&streams, edits);
        }
        let mut header = [0u8; 27];
        if read_at(source, at, &mut header).is_err() {
            cut_off(&mut edits, at);
            return finished(&streams, edits);
        }
        if &header[..4] != b"OggS" || header[4] != 0 {
            if crate::edit::all_zero(source, at, len).unwrap_or(false) {
                return finished(&streams, edits);
            }
            return Err(format!("its pages are broken at byte {at}"));
        }
        let first_page = header[5] & 0x02 != 0;
        let serial = u32::from_le_bytes(header[14..18].try_into().expect("4 bytes"));
        let mut lacing = vec![0u8; usize::from(header[26])];
        if read_at(source, at + 27, &mut lacing).is_err() {
            cut_off(&mut edits, at);
            return finished(&streams, edits);
        }
        let body = at + 27 + lacing.len() as u64;
        let page_len = body - at + lacing.iter().map(|&l| u64::from(l)).sum::<u64>();
        if at + page_len > len {
            cut_off(&mut edits, at);
            return finished(&streams, edits);
        }
        if first_page {
            let mut magic = [0u8; 8];
            read_at(source, body, &mut magic).map_err(|_| "its first page is cut off")?;
            let codec = match &magic {
                [1, b'v', b'o', b'r', b'b', b'i', b's', _] => Codec::Vorbis,
                b"OpusHead" => Codec::Opus,
                _ => return Err("it holds a stream that is neither Vorbis nor Opus sound".into()),
            };
            if streams.contains_key(&serial) {
                return Err(format!("two streams are numbered {serial}"));
            }
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
                    // Laces of one page lie side by side: one range per page.
                    match stream.comment.last_mut() {
                        Some((start, n)) if *start + *n == offset => *n += u64::from(lace),
                        _ => stream.comment.push((offset, u64::from(lace))),
                    }
                    if stream.pages.last() != Some(&(at, page_len)) {
                        stream.pages.push((at, page_len));
                    }
                    if stream.comment.iter().map(|(_, n)| n).sum::<u64>() > MAX_COMMENT {
                        return Err("its tags are over 16 MiB".into());
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

/// The edits that empty one stream's complete comment packet and fix its pages' CRCs: the
/// packet keeps its magic and the vendor string's length; the vendor string, the comments and
/// anything after them become zeros, but for the framing bit a Vorbis header ends with.
fn empty_comment<S: Read + Seek>(source: &mut S, stream: &Stream) -> Result<Vec<Edit>, String> {
    let total: u64 = stream.comment.iter().map(|(_, n)| n).sum();
    let (magic, framing): (&[u8], bool) = match stream.codec {
        Codec::Vorbis => (b"\x03vorbis", true),
        Codec::Opus => (b"OpusTags", false),
    };
    let malformed = || "its comment header is malformed".to_string();
    // The packet's start: magic and vendor length, then the vendor string.
    let kept = magic.len() as u64 + 4;
    if total < kept + 4 + u64::from(framing) {
        return Err(malformed());
    }
    let start = read_packet(source, &stream.comment, 0, kept as usize)?;
    if &start[..magic.len()] != magic {
        return Err(malformed());
    }
    let vendor = u64::from(u32::from_le_bytes(
        start[magic.len()..].try_into().expect("4 bytes"),
    ));
    // No comments (a zero count), then Vorbis's framing bit.
    let framing_at = kept + vendor + 4;
    if total < framing_at + u64::from(framing) {
        return Err(malformed());
    }
    let mut edits = Vec::new();
    let mut packet_at = 0u64; // position within the packet of each range's start
    let mut ranges = stream.comment.iter().peekable();
    for &(page, page_len) in &stream.pages {
        let first = edits.len();
        while let Some(&&(offset, n)) = ranges.peek() {
            if offset >= page + page_len {
                break;
            }
            ranges.next();
            let (from, to) = (packet_at, packet_at + n);
            packet_at = to;
            let blank_from = from.max(kept);
            if blank_from >= to {
                continue;
            }
            // Zeros, but for the framing bit where it falls (edits never overlap).
            let file_at = |p: u64| offset + (p - from);
            let what = "an Ogg comment header";
            if framing && (blank_from..to).contains(&framing_at) {
                edits.extend(Edit::zeros_but_framing(
                    file_at(blank_from),
                    to - blank_from,
                    file_at(framing_at),
                    what,
                ));
            } else {
                edits.push(Edit::zeros(file_at(blank_from), to - blank_from, what));
            }
        }
        // The page as it will read, for its CRC (RFC 3533 §6: over the page, CRC zeroed).
        let mut bytes = vec![0u8; page_len as usize];
        read_at(source, page, &mut bytes).map_err(|e| e.to_string())?;
        for edit in &edits[first..] {
            let i = (edit.at - page) as usize;
            match &edit.fill {
                Fill::Zeros(n) => bytes[i..i + *n as usize].fill(0),
                Fill::Bytes(b) => bytes[i..i + b.len()].copy_from_slice(b),
            }
        }
        bytes[22..26].fill(0);
        let crc = OGG_CRC.checksum(&bytes);
        edits.push(Edit::bytes(
            page + 22,
            crc.to_le_bytes(),
            "an Ogg comment header",
        ));
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
        crate::edit::Edited::new(cursor, edits)
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

    /// An Ogg page of `serial` holding `body` laced as the segment table `laces` says.
    fn page(serial: u32, sequence: u32, flags: u8, laces: &[u8], body: &[u8]) -> Vec<u8> {
        let mut p = b"OggS\0".to_vec();
        p.push(flags);
        p.extend(0u64.to_le_bytes());
        p.extend(serial.to_le_bytes());
        p.extend(sequence.to_le_bytes());
        p.extend([0u8; 4]);
        p.push(laces.len() as u8);
        p.extend(laces);
        p.extend(body);
        let crc = OGG_CRC.checksum(&p);
        p[22..26].copy_from_slice(&crc.to_le_bytes());
        p
    }

    fn opus_head(serial: u32) -> Vec<u8> {
        let head = b"OpusHead\x01\x01\x38\x01\x80\xbb\0\0\0\0\0";
        page(serial, 0, 2, &[head.len() as u8], head)
    }

    /// An OpusTags packet naming a child with `filler` bytes more, as pages of `laces` full
    /// laces each (a last partial lace ends the packet).
    fn long_tags(serial: u32, filler: usize, laces: usize) -> Vec<Vec<u8>> {
        let mut packet = b"OpusTags\x06\0\0\0Vendor\x01\0\0\0".to_vec();
        let comment = format!("ARTIST=Aino Virtanen{}", "!".repeat(filler));
        packet.extend((comment.len() as u32).to_le_bytes());
        packet.extend(comment.as_bytes());
        let mut pages = Vec::new();
        for (i, chunk) in packet.chunks(255 * laces).enumerate() {
            let mut table: Vec<u8> = chunk.chunks(255).map(|c| c.len() as u8).collect();
            if chunk.len() % 255 == 0 && chunk.len() < 255 * laces {
                table.push(0);
            }
            let flags = if i == 0 { 0 } else { 1 };
            pages.push(page(serial, 1 + i as u32, flags, &table, chunk));
        }
        pages
    }

    fn stored(file: &[u8]) -> Result<Vec<u8>, String> {
        let mut cursor = std::io::Cursor::new(file);
        let edits = comment_edits(&mut cursor, file.len() as u64)?;
        cursor.set_position(0);
        let mut out = Vec::new();
        crate::edit::Edited::new(cursor, edits)
            .unwrap()
            .read_to_end(&mut out)
            .unwrap();
        Ok(out)
    }

    #[test]
    fn tags_over_many_pages_and_interleaved_streams_are_emptied() {
        let mut file = opus_head(7);
        file.extend(opus_head(9));
        // Stream 9's tags over 300 pages, stream 7's in between.
        let nine = long_tags(9, 300 * 255, 1);
        let (a, b) = nine.split_at(nine.len() / 2);
        file.extend(a.concat());
        file.extend(long_tags(7, 600, 1).concat());
        file.extend(b.concat());
        let out = stored(&file).unwrap();
        assert_eq!(out.len(), file.len());
        assert_eq!(pages_check(&out), pages_check(&file));
        assert!(!out.windows(4).any(|w| w == b"Aino"));
        assert!(
            !out.windows(6).any(|w| w == b"Vendor"),
            "the vendor string goes too"
        );
        // What was stored needs nothing more.
        let mut cursor = std::io::Cursor::new(&out[..]);
        let again = comment_edits(&mut cursor, out.len() as u64).unwrap();
        assert_eq!(
            crate::edit::changes_anything(&mut cursor, &again).unwrap(),
            None
        );
    }

    #[test]
    fn unfinished_duplicate_or_huge_tags_are_refused() {
        let mut cut = opus_head(7);
        cut.extend(long_tags(7, 3 * 255, 1)[..2].concat());
        assert!(stored(&cut).unwrap_err().contains("cut off"));
        let mut twice = opus_head(7);
        twice.extend(opus_head(7));
        assert!(stored(&twice).unwrap_err().contains("two streams"));
        // A first page claiming more than the file holds (found by the fuzzer: it was zeroed
        // whole and stored as nothing).
        let mut claims = opus_head(7);
        claims[26] = 117;
        assert!(stored(&claims).unwrap_err().contains("no sound"));
        let mut huge = opus_head(7);
        huge.extend(long_tags(7, MAX_COMMENT as usize + 10, 255).concat());
        assert!(stored(&huge).unwrap_err().contains("over 16 MiB"));
    }

    #[test]
    fn a_last_page_cut_off_is_zeroed_and_known_again() {
        let mut file = opus_head(7);
        file.extend(long_tags(7, 10, 1).concat());
        let audio = page(7, 9, 0, &[200], &[b'A'; 200]);
        file.extend(&audio[..audio.len() - 50]);
        let out = stored(&file).unwrap();
        assert!(
            !out.windows(8).any(|w| w == b"AAAAAAAA"),
            "the cut page is zeroed"
        );
        let mut cursor = std::io::Cursor::new(&out[..]);
        let again = comment_edits(&mut cursor, out.len() as u64).unwrap();
        assert_eq!(
            crate::edit::changes_anything(&mut cursor, &again).unwrap(),
            None
        );
    }

    #[test]
    fn the_page_crc_is_oggs() {
        // The check value of the Ogg CRC over "123456789" (CRC RevEng catalogue's
        // CRC-32/MPEG-2 differs only by its initial value; this one is libogg's).
        assert_eq!(OGG_CRC.checksum(b"123456789"), 0x89A1_897F);
    }
}
