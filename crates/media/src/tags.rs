//! Tags in sound files and WebM, blanked in the stored copy without moving a byte.
//!
//! Phones, recorders and editing programs write the title, the artist (often the child's
//! name), the device, the date and sometimes the place into a sound file's tags. The stored
//! copy keeps the sound exactly as recorded and the container's layout (nothing after a tag
//! moves, so nothing that points at a position breaks), with every tag made empty:
//! - WAV: every chunk but `fmt `, `fact` and `data` (`LIST`/`INFO`, `id3 `, `bext`, `iXML`,
//!   `_PMX` XMP…) becomes a `JUNK` chunk of zeros, the RIFF standard's padding (Microsoft
//!   Multimedia Programming Interface and Data Specifications 1.0);
//! - MP3: an ID3v2 tag keeps its header with its frames zeroed, which ID3v2.3/2.4 (§3.3,
//!   §3.1 "padding") define as padding; an ID3v1 tag (and the `TAG+` extension) is emptied; an
//!   APEv2 tag keeps its header and footer with no items (APEv2 specification, Hydrogenaudio);
//! - Ogg: the comment header of each Vorbis or Opus stream keeps its vendor string with no
//!   comments (Vorbis I specification §5; RFC 7845 §5.2), its pages' CRCs made true (RFC 3533
//!   §6); other codecs in Ogg are refused, since their tags could not be emptied;
//! - WebM/Matroska: `Tags`, `Attachments` (cover art), `Chapters` and the segment's `Title`
//!   become `Void` elements of the same length (`matroska::metadata`).
//!
//! [`edits`] finds what to rewrite; `edit::Edited` reads the file with the edits applied. Blanking
//! is idempotent: a stored copy needs no edit that changes a byte, which is how a copy received
//! from another device is checked (`edit::changes_anything`).

use std::io::{Read, Seek};

use crate::edit::read_at;
use crate::edit::Edit;
use crate::sniff::MediaType;

/// The edits that empty the tags of a `media` file of `len` bytes, in file order. Sound and
/// video formats without tags of their own here (MP4, handled by [`crate::iso`]) get none.
///
/// # Errors
/// A tag or page that runs past the end of the file, an Ogg stream of a codec other than
/// Vorbis or Opus, broken Ogg framing, or a read error (as words for a `Damaged` error).
pub fn edits<S: Read + Seek>(
    media: MediaType,
    source: &mut S,
    len: u64,
) -> Result<Vec<Edit>, String> {
    let mut edits = match media {
        MediaType::Wav => wav(source, len)?,
        MediaType::Mp3 => mp3(source, len)?,
        MediaType::Ogg => crate::ogg::comment_edits(source, len)?,
        MediaType::WebmAudio | MediaType::WebmVideo => crate::matroska::metadata(source, len)?,
        _ => Vec::new(),
    };
    edits.retain(|e| !e.is_empty());
    edits.sort_by_key(|e| e.at);
    Ok(edits)
}

/// A WAV's chunks other than its format, sample count and sound, as `JUNK` of zeros.
fn wav<S: Read + Seek>(source: &mut S, len: u64) -> Result<Vec<Edit>, String> {
    let layout = crate::container::wav_layout(source, len)?;
    let what = "a WAV tag chunk";
    let mut edits: Vec<Edit> = layout
        .other_chunks
        .iter()
        .flat_map(|&(start, body)| {
            [
                Edit::bytes(start, *b"JUNK", what),
                Edit::zeros(start + 8, body, what),
            ]
        })
        .collect();
    match layout.tail {
        Some((start, n)) if n >= 8 => {
            let size = u32::try_from(n - 8).map_err(|_| "a WAV cannot be over 4 GiB")?;
            let mut header = b"JUNK".to_vec();
            header.extend(size.to_le_bytes());
            edits.push(Edit::bytes(start, header, what));
            edits.push(Edit::zeros(start + 8, n - 8, what));
        }
        Some((start, n)) => edits.push(Edit::zeros(start, n, what)),
        None => {}
    }
    if let Some(at) = layout.id3v1 {
        edits.push(Edit::zeros(at, 128, "an ID3v1 tag"));
    }
    Ok(edits)
}

/// Most ID3v2 tags in a row at the start of one file (a program that adds its own tag in
/// front of another's); a file with more is refused.
const MAX_ID3V2_TAGS: usize = 64;

/// An MP3's ID3v2 tags (start), APEv2 tag and ID3v1 tag (end), emptied.
fn mp3<S: Read + Seek>(source: &mut S, len: u64) -> Result<Vec<Edit>, String> {
    let mut edits = Vec::new();
    let mut at = 0u64;
    for n in 0..=MAX_ID3V2_TAGS {
        let mut header = [0u8; 10];
        if read_at(source, at, &mut header).is_err() || &header[..3] != b"ID3" {
            break;
        }
        if n == MAX_ID3V2_TAGS {
            return Err(format!("it has more than {MAX_ID3V2_TAGS} ID3 tags"));
        }
        // Excluding the header and any footer.
        let size = synchsafe(&header[6..10]).ok_or("its ID3 tag has a malformed size")?;
        let footer = if header[3] == 4 && header[5] & 0x10 != 0 {
            10
        } else {
            0
        };
        let end = at + 10 + size + footer;
        if end > len {
            return Err("its ID3 tag runs past the end of the file".into());
        }
        // No unsynchronisation, extended header, experimental or footer flag: the frames'
        // place is then plain padding.
        edits.push(Edit::bytes(at + 5, [0u8], "an ID3 tag"));
        edits.push(Edit::zeros(at + 10, size + footer, "an ID3 tag"));
        at = end;
    }
    // The tags at the end, in whatever order programs appended them (ID3v1 last by its own
    // rule; APE, Lyrics3 v2 and an appended ID3v2.4 before it): looked for again and again
    // until none is left, a few rounds at most.
    let mut end = len;
    for _ in 0..8 {
        let before = end;
        end = end_tag(source, at, end, &mut edits)?;
        if end == before {
            break;
        }
    }
    Ok(edits)
}

/// One tag ending at `end` (an MP3's audio starting at `at`): its edits pushed; where it
/// starts (`end` when there is none).
fn end_tag<S: Read + Seek>(
    source: &mut S,
    at: u64,
    end: u64,
    edits: &mut Vec<Edit>,
) -> Result<u64, String> {
    if end >= at + 128 {
        let mut tag = [0u8; 3];
        read_at(source, end - 128, &mut tag).map_err(|e| e.to_string())?;
        if &tag == b"TAG" {
            let mut empty = vec![0u8; 128];
            empty[..3].copy_from_slice(b"TAG");
            empty[127] = 0xFF; // no genre
            let edit = Edit::bytes(end - 128, empty, "an ID3v1 tag");
            // An emptied one is what the import leaves: the tags before it are looked for.
            edits.push(edit);
            let mut start = end - 128;
            if start >= at + 227 {
                let mut plus = [0u8; 4];
                read_at(source, start - 227, &mut plus).map_err(|e| e.to_string())?;
                if &plus == b"TAG+" {
                    edits.push(Edit::zeros(start - 227 + 4, 223, "an ID3v1 tag"));
                    start -= 227;
                }
            }
            return Ok(start);
        }
    }
    // Lyrics3 v2: "LYRICSBEGIN", fields, a 6-digit size, "LYRICS200".
    if end >= at + 15 {
        let mut tail = [0u8; 15];
        read_at(source, end - 15, &mut tail).map_err(|e| e.to_string())?;
        if &tail[6..] == b"LYRICS200" {
            let size = std::str::from_utf8(&tail[..6])
                .ok()
                .and_then(|d| d.parse::<u64>().ok())
                .filter(|size| end - at >= 15 + size)
                .ok_or("its Lyrics3 tag is malformed")?;
            let start = end - 15 - size;
            // Zeroed whole; an emptied one (no "LYRICS200" left) is not found again.
            edits.push(Edit::zeros(start, end - start, "a Lyrics3 tag"));
            return Ok(start);
        }
    }
    if end >= at + 32 {
        if let Some((ape, start)) = ape(source, at, end)? {
            edits.extend(ape);
            return Ok(start);
        }
    }
    // An ID3v2.4 tag appended at the end, found by its footer ("3DI"; ID3v2.4 §3.4).
    if end >= at + 20 {
        let mut footer = [0u8; 10];
        read_at(source, end - 10, &mut footer).map_err(|e| e.to_string())?;
        if &footer[..3] == b"3DI" {
            let size =
                synchsafe(&footer[6..10]).ok_or("its appended ID3 tag has a malformed size")?;
            if end - at < 20 + size {
                return Err("its appended ID3 tag runs past the start of the file".into());
            }
            let start = end - 20 - size;
            // Header and footer say "a footer follows" and nothing else; the frames are zeros.
            edits.push(Edit::bytes(start + 5, [0x10u8], "an ID3 tag"));
            edits.push(Edit::zeros(start + 10, size, "an ID3 tag"));
            edits.push(Edit::bytes(end - 5, [0x10u8], "an ID3 tag"));
            return Ok(start);
        }
    }
    Ok(end)
}

/// An APEv2 tag whose footer ends at `end` (after any audio from `from`): the edits that
/// leave it no items, and where it starts.
fn ape<S: Read + Seek>(
    source: &mut S,
    from: u64,
    end: u64,
) -> Result<Option<(Vec<Edit>, u64)>, String> {
    let mut footer = [0u8; 32];
    read_at(source, end - 32, &mut footer).map_err(|e| e.to_string())?;
    if &footer[..8] != b"APETAGEX" {
        return Ok(None);
    }
    let field = |i: usize| u64::from(u32::from_le_bytes(footer[i..i + 4].try_into().unwrap()));
    // The size counts the items and the footer, not the header.
    let (size, has_header) = (field(12), field(20) & 0x8000_0000 != 0);
    let header = if has_header { 32 } else { 0 };
    if size < 32 || end - from < size + header {
        return Err("its APE tag runs past the start of the file".into());
    }
    let items = end - size;
    let mut edits = vec![
        Edit::zeros(items, size - 32, "an APE tag"),
        Edit::bytes(end - 32 + 16, [0u8; 4], "an APE tag"),
    ];
    if has_header {
        edits.push(Edit::bytes(items - 32 + 16, [0u8; 4], "an APE tag"));
    }
    Ok(Some((edits, items - header)))
}

/// An ID3v2 size: 28 bits in four bytes of seven (ID3v2 §3.1, "synchsafe"); `None` when a
/// byte's high bit is set (a malformed tag).
fn synchsafe(bytes: &[u8]) -> Option<u64> {
    if bytes.iter().any(|b| b & 0x80 != 0) {
        return None;
    }
    Some(bytes.iter().fold(0u64, |v, b| (v << 7) | u64::from(*b)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::{changes_anything, Edited};
    use std::io::Cursor;

    fn stored(media: MediaType, file: &[u8]) -> Vec<u8> {
        let mut cursor = Cursor::new(file);
        let edits = edits(media, &mut cursor, file.len() as u64).unwrap();
        cursor.set_position(0);
        let mut out = Vec::new();
        Edited::new(cursor, edits)
            .unwrap()
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out.len(), file.len(), "nothing moves");
        let again = super::edits(media, &mut Cursor::new(&out), out.len() as u64).unwrap();
        assert_eq!(
            changes_anything(&mut Cursor::new(&out), &again).unwrap(),
            None,
            "a stored copy needs no more blanking"
        );
        out
    }

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    /// MPEG-1 Layer III frames (128 kb/s, 44.1 kHz: 417 bytes each), content arbitrary.
    fn frames(n: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for i in 0..n {
            out.extend([0xFF, 0xFB, 0x90, 0x64]);
            out.extend((0..413).map(|j| ((i * 7 + j) % 250) as u8));
        }
        out
    }

    fn id3v2(text: &str) -> Vec<u8> {
        let mut frame = b"TIT2".to_vec();
        frame.extend(((text.len() + 1) as u32).to_be_bytes());
        frame.extend([0, 0, 3]);
        frame.extend(text.as_bytes());
        let mut tag = b"ID3\x04\x00\x00".to_vec();
        let size = frame.len() as u32;
        tag.extend([
            (size >> 21) as u8 & 0x7F,
            (size >> 14) as u8 & 0x7F,
            (size >> 7) as u8 & 0x7F,
            size as u8 & 0x7F,
        ]);
        tag.extend(frame);
        tag
    }

    #[test]
    fn an_mp3s_id3_ape_and_id3v1_tags_are_emptied_and_the_sound_kept() {
        let sound = frames(5);
        let mut file = id3v2("Aino Virtanen, Kallio 60.1699 24.9384");
        let sound_at = file.len();
        file.extend(&sound);
        // APEv2 with a header, one item.
        let item = b"\x0b\x00\x00\x00\x00\x00\x00\x00Artist\x00Aino Korhonen";
        let size = (item.len() + 32) as u32;
        let ape_header = |flags: u32| {
            let mut h = b"APETAGEX".to_vec();
            h.extend(2000u32.to_le_bytes());
            h.extend(size.to_le_bytes());
            h.extend(1u32.to_le_bytes());
            h.extend(flags.to_le_bytes());
            h.extend([0u8; 8]);
            h
        };
        file.extend(ape_header(0xA000_0000));
        file.extend(item);
        file.extend(ape_header(0x8000_0000));
        let mut v1 = b"TAGKettu metsassa".to_vec();
        v1.resize(33, b' ');
        v1.extend(b"Aino Salminen");
        v1.resize(128, 0);
        file.extend(v1);
        let out = stored(MediaType::Mp3, &file);
        for secret in ["Virtanen", "60.1699", "Korhonen", "Salminen", "Kettu"] {
            assert!(!contains(&out, secret.as_bytes()), "{secret} left");
        }
        assert_eq!(&out[sound_at..sound_at + sound.len()], &sound[..]);
        assert_eq!(&out[..3], b"ID3");
    }

    #[test]
    fn lyrics_and_an_appended_id3_tag_at_the_end_are_emptied() {
        let sound = frames(3);
        let mut file = sound.clone();
        // An ID3v2.4 tag appended with its footer.
        let mut tag = id3v2("Aino Virtanen");
        tag[5] = 0x10;
        let footer = [b"3DI".to_vec(), tag[3..10].to_vec()].concat();
        file.extend(&tag);
        file.extend(footer);
        let lyrics = b"LYRICSBEGININD0000210LYR00009Kallio 60";
        file.extend(lyrics);
        file.extend(format!("{:06}LYRICS200", lyrics.len()).as_bytes());
        let out = stored(MediaType::Mp3, &file);
        assert!(!contains(&out, b"Virtanen") && !contains(&out, b"Kallio"));
        assert_eq!(&out[..sound.len()], &sound[..]);
    }

    #[test]
    fn a_wavs_info_chunk_before_and_after_the_sound_becomes_junk() {
        let info = |text: &[u8]| {
            let mut list = b"LIST".to_vec();
            let mut body = b"INFOIART".to_vec();
            body.extend((text.len() as u32).to_le_bytes());
            body.extend(text);
            list.extend((body.len() as u32).to_le_bytes());
            list.extend(&body);
            if body.len() % 2 == 1 {
                list.push(0);
            }
            list
        };
        let samples: Vec<u8> = (0..1000).map(|i| (i % 251) as u8).collect();
        let mut file = b"RIFF\0\0\0\0WAVEfmt ".to_vec();
        file.extend(16u32.to_le_bytes());
        file.extend([1, 0, 1, 0, 0x40, 0x1F, 0, 0, 0x80, 0x3E, 0, 0, 2, 0, 16, 0]);
        file.extend(info(b"Aino Virtanen"));
        file.extend(b"data");
        file.extend(1000u32.to_le_bytes());
        file.extend(&samples);
        file.extend(info(b"Kallio 60.1699"));
        let whole = (file.len() - 8) as u32;
        file[4..8].copy_from_slice(&whole.to_le_bytes());
        let out = stored(MediaType::Wav, &file);
        assert!(!contains(&out, b"Virtanen") && !contains(&out, b"60.1699"));
        assert!(!contains(&out, b"LIST") && contains(&out, b"JUNK"));
        assert!(contains(&out, &samples));
        let fixes = crate::container::wav_layout(&mut Cursor::new(&out), out.len() as u64)
            .unwrap()
            .fixes;
        assert!(fixes.is_empty(), "the sound's size is kept: {fixes:?}");
    }

    #[test]
    fn a_wav_tag_that_does_not_fill_the_end_exactly_is_blanked_whole() {
        let mut file = b"RIFF\0\0\0\0WAVEfmt ".to_vec();
        file.extend(16u32.to_le_bytes());
        file.extend([1, 0, 1, 0, 0x40, 0x1F, 0, 0, 0x80, 0x3E, 0, 0, 2, 0, 16, 0]);
        file.extend(b"data");
        file.extend(100u32.to_le_bytes());
        file.extend([7u8; 100]);
        file.extend(b"LIST\x10\0\0\0INFOIART\x04\0\0\0Aino");
        file.push(0x55); // one byte more than the chunks fill
        let whole = (file.len() - 8) as u32;
        file[4..8].copy_from_slice(&whole.to_le_bytes());
        let out = stored(MediaType::Wav, &file);
        assert!(!contains(&out, b"Aino") && !contains(&out, b"LIST"));
        assert_eq!(&out[44..144], &[7u8; 100][..], "the sound is kept");
    }

    #[test]
    fn end_tags_in_any_order_are_all_emptied() {
        let sound = frames(2);
        let lyrics = |text: &[u8]| {
            let mut l = b"LYRICSBEGININD0000210".to_vec();
            l.extend(text);
            let n = l.len();
            l.extend(format!("{n:06}LYRICS200").as_bytes());
            l
        };
        let ape = |item: &[u8]| {
            let size = (item.len() + 32) as u32;
            let mut a = item.to_vec();
            a.extend(b"APETAGEX");
            a.extend(2000u32.to_le_bytes());
            a.extend(size.to_le_bytes());
            a.extend(1u32.to_le_bytes());
            a.extend(0u32.to_le_bytes());
            a.extend([0u8; 8]);
            a
        };
        let mut v1 = b"TAGOtsikko".to_vec();
        v1.resize(128, 0);
        // Lyrics3, then APE, then ID3v1.
        let mut file = sound.clone();
        file.extend(lyrics(b"Aino Virtanen"));
        file.extend(ape(b"\x06\0\0\0\0\0\0\0Artist\0Kallio"));
        file.extend(&v1);
        let out = stored(MediaType::Mp3, &file);
        assert!(!contains(&out, b"Virtanen") && !contains(&out, b"Kallio"));
        assert!(!contains(&out, b"Otsikko"));
        // APE, then an appended ID3v2.4 tag.
        let mut file = sound.clone();
        file.extend(ape(b"\x06\0\0\0\0\0\0\0Artist\0Kallio"));
        let mut tag = id3v2("Aino Virtanen");
        tag[5] = 0x10;
        file.extend(&tag);
        file.extend([b"3DI".to_vec(), tag[3..10].to_vec()].concat());
        let out = stored(MediaType::Mp3, &file);
        assert!(!contains(&out, b"Virtanen") && !contains(&out, b"Kallio"));
        assert_eq!(&out[..sound.len()], &sound[..]);
    }

    #[test]
    fn id3_tags_appended_to_a_wav_are_emptied() {
        let head = |data: u32| {
            let mut w = b"RIFF\0\0\0\0WAVEfmt ".to_vec();
            w.extend(16u32.to_le_bytes());
            w.extend([1, 0, 1, 0, 0x40, 0x1F, 0, 0, 0x80, 0x3E, 0, 0, 2, 0, 16, 0]);
            w.extend(b"data");
            w.extend(data.to_le_bytes());
            w
        };
        // A true size, then an ID3v2 tag after the sound.
        let mut file = head(200);
        file.extend([9u8; 200]);
        file.extend(id3v2("Aino Virtanen"));
        let out = stored(MediaType::Wav, &file);
        assert!(!contains(&out, b"Virtanen"));
        assert_eq!(&out[44..244], &[9u8; 200][..]);
        // A placeholder size, then an ID3v1 tag at the very end.
        let mut file = head(0);
        file.extend([9u8; 300]);
        let mut v1 = b"TAGAino Virtanen".to_vec();
        v1.resize(128, 0);
        file.extend(v1);
        let out = stored(MediaType::Wav, &file);
        assert!(!contains(&out, b"Virtanen"));
    }

    #[test]
    fn tags_running_past_the_end_are_refused() {
        let mut file = id3v2("Aino");
        file.truncate(15);
        assert!(edits(MediaType::Mp3, &mut Cursor::new(&file), 15).is_err());
    }
}
