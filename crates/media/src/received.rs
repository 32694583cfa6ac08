//! Whether a file received from another device is one this app could have stored itself: a
//! picture must be in the form the import pipeline writes (a JPEG or PNG re-encoded with no
//! metadata at all), so that a photo with GPS coordinates, an EXIF block, XMP, a comment or
//! bytes after its end never spreads from a tampered tablet to the rest of the class.
//!
//! The check cannot strip: a blob is named by its hash, and the documents name the blob.
//! It refuses instead, and the device remembers the refusal (`hugme-node`).
//!
//! It walks the whole file, streaming (no allocation grows with the file): every JPEG marker
//! segment from SOI to EOI including those between scans (ITU-T T.81 Annex B), every PNG chunk
//! from the signature to IEND (PNG, 3rd edition, §5.3), and nothing may follow the end.
//! Only what the encoders here write is allowed, each segment or chunk the size its contents
//! say (no room to carry anything else): in a JPEG, SOF0–2, DHT, DQT, DRI, SOS, restarts and
//! a JFIF APP0 without a thumbnail; in a PNG, the critical chunks and the colour-describing
//! ancillary ones (tRNS, gAMA, cHRM, sRGB, sBIT, bKGD, pHYs) at their fixed sizes. What the
//! entropy-coded data of a scan holds is pixels (which can always hide something; they are
//! not metadata). A picture over [`MAX_PICTURE_BYTES`] is refused unread. A parser
//! library (img-parts) stops at the first scan and ignores what follows EOI, which is exactly
//! where a crafted file hides data, so the walk is this crate's own.
//!
//! An MP4, M4A or MOV must have its metadata boxes blanked as the import blanks them (no
//! `udta`, `meta` or `uuid` box where the recording place would be), and one whose brands
//! name a still image (HEIF, AVIF) is a picture, and refused. Other sound and video (WebM,
//! Ogg, MP3, WAV) is taken as it comes; any other file is refused.

use std::io::{self, BufRead, BufReader, Read, Seek};

use crate::sniff::{sniff, MediaKind, MediaType};

/// Why a received file is not kept.
#[derive(Debug, thiserror::Error)]
pub enum Unkept {
    #[error("it is not a picture, sound or video this app stores")]
    Unknown,
    #[error("it is a {0:?} picture: this app stores pictures as JPEG or PNG only")]
    OtherPicture(MediaType),
    #[error("it carries {0}, which this app strips from every picture, sound and video it stores")]
    Metadata(String),
    #[error("it has bytes after the end of its picture")]
    Trailing,
    #[error("it is not a well-formed {format}: {why}")]
    Malformed { format: &'static str, why: String },
    #[error("it is a picture of {0} bytes, more than any picture this app stores")]
    TooBig(u64),
    #[error("it could not be read: {0}")]
    Io(#[from] io::Error),
}

/// The largest picture the import can write, with room: a 4096 × 4096 PNG with alpha is at
/// most 64 MiB of pixels and PNG's framing.
pub const MAX_PICTURE_BYTES: u64 = 80 << 20;

/// Checks a received file of `len` bytes, read from its start.
///
/// # Errors
/// [`Unkept`]: an unknown type, a picture format the import never writes, a picture with
/// metadata or trailing bytes, a malformed or oversized picture, or a read error.
pub fn check<S: Read + Seek>(file: S, len: u64) -> Result<(), Unkept> {
    let mut reader = BufReader::with_capacity(64 << 10, file);
    let head = reader.fill_buf()?;
    let found = sniff(head);
    if let Some(MediaType::Mp4 | MediaType::M4a) = found {
        if let Some(image) = crate::sniff::still_image(head) {
            return Err(Unkept::OtherPicture(image));
        }
        // The import blanks every metadata box (`crate::iso`): one left is not its work.
        let mut file = reader.into_inner();
        let boxes =
            crate::iso::metadata_boxes(&mut file, len).map_err(|why| malformed("MP4", why))?;
        if let Some(b) = boxes.first() {
            return Err(Unkept::Metadata(format!(
                "a {} box (where phones keep the recording place)",
                String::from_utf8_lossy(&b.kind)
            )));
        }
        // A metadata box renamed `free` still carries what it held: padding must be zeros.
        let padding =
            crate::iso::padding_boxes(&mut file, len).map_err(|why| malformed("MP4", why))?;
        for b in &padding {
            if !crate::iso::is_blank(&mut file, b)? {
                return Err(Unkept::Metadata("a padding box that is not blank".into()));
            }
        }
        return Ok(());
    }
    if found.is_some_and(|t| t.kind() == MediaKind::Image) && len > MAX_PICTURE_BYTES {
        return Err(Unkept::TooBig(len));
    }
    match found {
        Some(MediaType::Jpeg) => jpeg(&mut reader),
        Some(MediaType::Png) => png(&mut reader),
        Some(other) if other.kind() == MediaKind::Image => Err(Unkept::OtherPicture(other)),
        Some(sound) => {
            // The import empties every tag in place (`crate::tags`): one left is not its work.
            let mut file = reader.into_inner();
            let edits = crate::tags::edits(sound, &mut file, len)
                .map_err(|why| malformed(sound.mime(), why))?;
            match crate::edit::changes_anything(&mut file, &edits)? {
                Some(edit) => Err(Unkept::Metadata(edit.what.into())),
                None => Ok(()),
            }
        }
        None => Err(Unkept::Unknown),
    }
}

fn malformed(format: &'static str, why: impl Into<String>) -> Unkept {
    Unkept::Malformed {
        format,
        why: why.into(),
    }
}

fn byte(r: &mut impl BufRead, format: &'static str) -> Result<u8, Unkept> {
    let mut b = [0u8; 1];
    match r.read_exact(&mut b) {
        Ok(()) => Ok(b[0]),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Err(malformed(format, "cut off")),
        Err(e) => Err(e.into()),
    }
}

fn exact<const N: usize>(r: &mut impl BufRead, format: &'static str) -> Result<[u8; N], Unkept> {
    let mut b = [0u8; N];
    match r.read_exact(&mut b) {
        Ok(()) => Ok(b),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Err(malformed(format, "cut off")),
        Err(e) => Err(e.into()),
    }
}

fn skip(r: &mut impl BufRead, n: u64, format: &'static str) -> Result<(), Unkept> {
    let skipped = io::copy(&mut r.take(n), &mut io::sink())?;
    if skipped != n {
        return Err(malformed(format, "cut off"));
    }
    Ok(())
}

fn at_end(r: &mut impl BufRead) -> Result<(), Unkept> {
    if r.fill_buf()?.is_empty() {
        Ok(())
    } else {
        Err(Unkept::Trailing)
    }
}

const JPEG: &str = "JPEG";

/// A JPEG: SOI, then marker segments; after each SOS, entropy-coded data up to the next
/// marker; EOI last.
fn jpeg(r: &mut impl BufRead) -> Result<(), Unkept> {
    if exact::<2>(r, JPEG)? != [0xFF, 0xD8] {
        return Err(malformed(JPEG, "no start-of-image marker"));
    }
    let mut marker = next_marker(r)?;
    loop {
        match marker {
            0xD9 => return at_end(r),
            // Restarts and TEM stand alone.
            0xD0..=0xD7 | 0x01 => {
                marker = next_marker(r)?;
                continue;
            }
            _ => {}
        }
        let len = u16::from_be_bytes(exact::<2>(r, JPEG)?);
        if len < 2 {
            return Err(malformed(JPEG, "a segment shorter than its length field"));
        }
        let payload = usize::from(len - 2);
        match marker {
            0xE1 => return Err(Unkept::Metadata("EXIF or XMP (APP1)".into())),
            0xE2 => {
                return Err(Unkept::Metadata(
                    "an ICC profile or FlashPix data (APP2)".into(),
                ))
            }
            0xED => return Err(Unkept::Metadata("IPTC (APP13)".into())),
            0xE3..=0xEF => {
                return Err(Unkept::Metadata(format!(
                    "application data (APP{})",
                    marker - 0xE0
                )))
            }
            0xFE => return Err(Unkept::Metadata("a comment (COM)".into())),
            // SOF0–2 (baseline, extended, progressive), DHT, DQT, DRI, SOS, APP0.
            0xC0..=0xC2 | 0xC4 | 0xDB | 0xDD | 0xDA | 0xE0 => {}
            other => {
                return Err(malformed(
                    JPEG,
                    format!("a marker 0xFF{other:02X} the app never writes"),
                ))
            }
        }
        // At most 65,533 bytes, as the length field says.
        let mut body = vec![0u8; payload];
        r.read_exact(&mut body).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => malformed(JPEG, "cut off"),
            _ => e.into(),
        })?;
        if !segment_fits(marker, &body) {
            return Err(Unkept::Metadata(format!(
                "a 0xFF{marker:02X} segment of {payload} bytes, more than its contents (room for other data)"
            )));
        }
        if marker == 0xDA {
            marker = after_scan(r)?;
            continue;
        }
        marker = next_marker(r)?;
    }
}

/// The marker after a segment: 0xFF, any fill bytes, the marker code.
fn next_marker(r: &mut impl BufRead) -> Result<u8, Unkept> {
    if byte(r, JPEG)? != 0xFF {
        return Err(malformed(JPEG, "bytes between segments"));
    }
    loop {
        match byte(r, JPEG)? {
            0xFF => continue,
            0x00 => return Err(malformed(JPEG, "a stuffed byte outside a scan")),
            code => return Ok(code),
        }
    }
}

/// Skips entropy-coded data (0xFF 0x00 is a data byte, 0xFF 0xD0–D7 a restart) and returns
/// the marker that ends it.
fn after_scan(r: &mut impl BufRead) -> Result<u8, Unkept> {
    let mut pending_ff = false;
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Err(malformed(JPEG, "cut off in a scan"));
        }
        let mut at = 0;
        loop {
            if !pending_ff {
                // Most of a scan is data without 0xFF: skipped a vector at a time.
                match memchr::memchr(0xFF, &buf[at..]) {
                    Some(i) => {
                        at += i + 1;
                        pending_ff = true;
                    }
                    None => {
                        at = buf.len();
                        break;
                    }
                }
            }
            let Some(&b) = buf.get(at) else {
                break;
            };
            at += 1;
            match b {
                0x00 | 0xD0..=0xD7 => pending_ff = false,
                0xFF => {}
                code => {
                    r.consume(at);
                    return Ok(code);
                }
            }
        }
        let used = at;
        r.consume(used);
    }
}

/// Whether a segment's payload is exactly what its contents need (ITU-T T.81 B.2.2, B.2.3,
/// B.2.4.1, B.2.4.2, B.2.4.4; JFIF 1.02 for APP0, which must carry no thumbnail, a second,
/// unstripped copy of the picture).
fn segment_fits(marker: u8, body: &[u8]) -> bool {
    match marker {
        // SOF: P, Y, X, Nf, then Nf × 3.
        0xC0..=0xC2 => {
            body.len() >= 6
                && (1..=4).contains(&body[5])
                && body.len() == 6 + 3 * usize::from(body[5])
        }
        // DHT: tables of Tc/Th, 16 counts and as many values as they sum to.
        0xC4 => {
            let mut at = 0;
            while at < body.len() {
                let Some(counts) = body.get(at + 1..at + 17) else {
                    return false;
                };
                let values: usize = counts.iter().map(|&c| usize::from(c)).sum();
                if values > 256 {
                    return false;
                }
                at += 17 + values;
            }
            at == body.len() && !body.is_empty()
        }
        // DQT: tables of Pq/Tq and 64 entries of 1 (Pq 0) or 2 (Pq 1) bytes.
        0xDB => {
            let mut at = 0;
            while at < body.len() {
                at += match body[at] >> 4 {
                    0 => 65,
                    1 => 129,
                    _ => return false,
                };
            }
            at == body.len() && !body.is_empty()
        }
        // DRI: Ri.
        0xDD => body.len() == 2,
        // SOS: Ns, Ns × 2, Ss, Se, Ah/Al.
        0xDA => {
            !body.is_empty()
                && (1..=4).contains(&body[0])
                && body.len() == 1 + 2 * usize::from(body[0]) + 3
        }
        // APP0: "JFIF\0", version, units, densities, a 0 × 0 thumbnail.
        0xE0 => body.len() == 14 && &body[..5] == b"JFIF\0" && body[12] == 0 && body[13] == 0,
        _ => false,
    }
}

const PNG: &str = "PNG";

/// A PNG: the signature, then chunks (length, type, data, CRC) up to IEND.
fn png(r: &mut impl BufRead) -> Result<(), Unkept> {
    if &exact::<8>(r, PNG)? != b"\x89PNG\r\n\x1a\n" {
        return Err(malformed(PNG, "no PNG signature"));
    }
    let mut first = true;
    loop {
        let len = u32::from_be_bytes(exact::<4>(r, PNG)?);
        if len > 0x7FFF_FFFF {
            return Err(malformed(PNG, "a chunk longer than PNG allows"));
        }
        let kind = exact::<4>(r, PNG)?;
        if first && &kind != b"IHDR" {
            return Err(malformed(PNG, "the first chunk is not IHDR"));
        }
        first = false;
        // The size each chunk's contents take (PNG 3rd edition, §11).
        let fits = match &kind {
            b"IHDR" => len == 13,
            b"IEND" => len == 0,
            b"PLTE" => len % 3 == 0 && (3..=768).contains(&len),
            b"tRNS" => len <= 256,
            b"gAMA" => len == 4,
            b"cHRM" => len == 32,
            b"sRGB" => len == 1,
            b"sBIT" => (1..=4).contains(&len),
            b"bKGD" => matches!(len, 1 | 2 | 6),
            b"pHYs" => len == 9,
            _ => true,
        };
        if !fits {
            return Err(Unkept::Metadata(format!(
                "a {} chunk of {len} bytes, more than its contents (room for other data)",
                String::from_utf8_lossy(&kind)
            )));
        }
        match &kind {
            b"IHDR" | b"PLTE" | b"IDAT" | b"IEND" | b"tRNS" | b"gAMA" | b"cHRM" | b"sRGB"
            | b"sBIT" | b"bKGD" | b"pHYs" => {}
            b"tEXt" | b"zTXt" | b"iTXt" => return Err(Unkept::Metadata("text chunks".into())),
            b"eXIf" => return Err(Unkept::Metadata("EXIF (eXIf)".into())),
            b"tIME" => return Err(Unkept::Metadata("a modification time (tIME)".into())),
            b"iCCP" => return Err(Unkept::Metadata("an ICC profile (iCCP)".into())),
            other => {
                return Err(Unkept::Metadata(format!(
                    "a chunk the app never writes ({})",
                    String::from_utf8_lossy(other)
                )))
            }
        }
        // The data and its CRC (not checked here: the decoder that shows it does).
        skip(r, u64::from(len) + 4, PNG)?;
        if &kind == b"IEND" {
            return at_end(r);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the import pipeline writes, as a peer would send it.
    fn imported(keep_alpha: bool) -> Vec<u8> {
        let rgba = image::RgbaImage::from_fn(64, 48, |x, y| {
            image::Rgba([x as u8 * 4, y as u8 * 5, 90, 128])
        });
        let image = if keep_alpha {
            image::DynamicImage::ImageRgba8(rgba)
        } else {
            image::DynamicImage::ImageRgb8(image::DynamicImage::ImageRgba8(rgba).to_rgb8())
        };
        let mut out = Vec::new();
        image
            .write_to(&mut io::Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        let store_dir = tempfile::tempdir().unwrap();
        let store = hugme_store::Store::open(store_dir.path()).unwrap();
        let name = if keep_alpha {
            "drawing.png"
        } else {
            "photo.png"
        };
        let mut settings = crate::Settings::default();
        settings.thumbnail_sizes.clear();
        let done = crate::import_bytes(&store, name, &out, &settings, &Default::default()).unwrap();
        store.blob(&done.blob.hash).unwrap()
    }

    /// [`check`] of bytes in memory.
    fn checked(bytes: &[u8]) -> Result<(), Unkept> {
        check(io::Cursor::new(bytes), bytes.len() as u64)
    }

    /// The imported PNG with `extra` right after its IHDR chunk (8 + 25 bytes).
    fn png_with(extra: &[u8]) -> Vec<u8> {
        let clean = imported(true);
        [&clean[..33], extra, &clean[33..]].concat()
    }

    fn jpeg_with(segment: &[u8]) -> Vec<u8> {
        let clean = imported(false);
        assert_eq!(
            &clean[..2],
            [0xFF, 0xD8],
            "the import writes JPEG without alpha"
        );
        let mut out = clean[..2].to_vec();
        out.extend_from_slice(segment);
        out.extend_from_slice(&clean[2..]);
        out
    }

    fn segment(marker: u8, body: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&(body.len() as u16 + 2).to_be_bytes());
        s.extend_from_slice(body);
        s
    }

    #[test]
    fn what_the_import_writes_is_kept_thumbnails_too() {
        let (jpeg, png) = (imported(false), imported(true));
        checked(&jpeg).unwrap();
        checked(&png).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = hugme_store::Store::open(dir.path()).unwrap();
        let rgb = image::RgbImage::from_fn(1600, 1200, |x, y| image::Rgb([x as u8, y as u8, 7]));
        let mut png = Vec::new();
        image::DynamicImage::ImageRgb8(rgb)
            .write_to(&mut io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let settings = crate::Settings::default();
        let done =
            crate::import_bytes(&store, "photo.png", &png, &settings, &Default::default()).unwrap();
        assert_eq!(done.thumbnails.len(), 2);
        for blob in std::iter::once(&done.blob).chain(done.thumbnails.iter().map(|(_, b)| b)) {
            let bytes = store.blob(&blob.hash).unwrap();
            checked(&bytes).unwrap();
        }
    }

    #[test]
    fn a_jpeg_with_any_metadata_anywhere_is_refused() {
        let gps = segment(0xE1, b"Exif\0\0MM\0*\0\0\0\x08GPSLatitude");
        for bad in [
            jpeg_with(&gps),
            jpeg_with(&segment(0xFE, b"taken at Kalliolan koulu")),
            jpeg_with(&segment(0xED, b"Photoshop 3.0\0")),
            jpeg_with(&segment(0xE2, b"ICC_PROFILE\0")),
        ] {
            assert!(
                matches!(checked(&bad), Err(Unkept::Metadata(_))),
                "{:?}",
                checked(&bad)
            );
        }
        // Hidden after the end, or between the scan and the end.
        let mut after = imported(false);
        after.extend_from_slice(&gps);
        assert!(matches!(checked(&after), Err(Unkept::Trailing)));
        let mut between = imported(false);
        let end = between.len() - 2;
        between.splice(end..end, gps.iter().copied());
        assert!(matches!(checked(&between), Err(Unkept::Metadata(_))));
        // A JFIF header carrying a thumbnail, and one cut short.
        let mut thumb = b"JFIF\0\x01\x01\0\0\x01\0\x01".to_vec();
        thumb.extend_from_slice(&[2, 2]);
        thumb.extend_from_slice(&[0u8; 12]);
        let thumbed = jpeg_with(&segment(0xE0, &thumb));
        assert!(checked(&thumbed).is_err());
        let clean = imported(false);
        assert!(matches!(
            checked(&clean[..clean.len() - 10]),
            Err(Unkept::Malformed { .. })
        ));
    }

    #[test]
    fn a_png_with_text_exif_or_trailing_bytes_is_refused() {
        let clean = imported(true);
        let chunk = |kind: &[u8; 4], data: &[u8]| {
            let mut c = (data.len() as u32).to_be_bytes().to_vec();
            c.extend_from_slice(kind);
            c.extend_from_slice(data);
            c.extend_from_slice(&crc32fast::hash(&[&kind[..], data].concat()).to_be_bytes());
            c
        };
        for extra in [
            chunk(b"tEXt", b"Location\x0060.17,24.94"),
            chunk(b"eXIf", b"MM\0*"),
            chunk(b"tIME", &[7, 234, 11, 30, 4, 20, 0]),
            chunk(b"prVt", b"anything"),
        ] {
            let bad = png_with(&extra);
            assert!(
                matches!(checked(&bad), Err(Unkept::Metadata(_))),
                "{:?}",
                checked(&bad)
            );
        }
        let mut after = clean.clone();
        after.extend_from_slice(b"GPS 60.17 24.94");
        assert!(matches!(checked(&after), Err(Unkept::Trailing)));
    }

    #[test]
    fn other_pictures_and_unknown_files_are_refused_sound_passes() {
        let gif = b"GIF89a\x01\0\x01\0";
        assert!(matches!(checked(gif), Err(Unkept::OtherPicture(_))));
        assert!(matches!(checked(b"just some bytes"), Err(Unkept::Unknown)));
        let wav = [
            &b"RIFF\x2c\0\0\0WAVEfmt \x10\0\0\0"[..],
            &[1, 0, 1, 0, 0x40, 0x1F, 0, 0, 0x80, 0x3E, 0, 0, 2, 0, 16, 0],
            b"data\x08\0\0\0",
            &[1u8; 8],
        ]
        .concat();
        checked(&wav).unwrap();
        // The same with the recorder's name in a LIST chunk: the import would have blanked it.
        let mut tagged = wav[..36].to_vec();
        tagged.extend(b"LIST\x0e\0\0\0INFOIART\x02\0\0\0Ai");
        tagged.extend(&wav[36..]);
        assert!(matches!(checked(&tagged), Err(Unkept::Metadata(_))));
        let mut blanked = wav[..36].to_vec();
        blanked.extend(b"JUNK\x0e\0\0\0");
        blanked.extend([0u8; 14]);
        blanked.extend(&wav[36..]);
        checked(&blanked).unwrap();
        // A still image in an ISO-BMFF box, its major brand made a video's.
        let avif = b"\0\0\0\x1cftypisom\0\0\0\0isommif1avif\0\0\0\x08mdat";
        assert!(matches!(checked(avif), Err(Unkept::OtherPicture(_))));
        let mp4 = b"\0\0\0\x18ftypisom\0\0\x02\0isommp41\0\0\0\x08mdat";
        checked(mp4).unwrap();
        // The same behind an ID3 tag, to pass as an MP3 with its boxes: not a file the app keeps.
        let mut id3 = b"ID3\x04\0\0\0\0\0\0".to_vec();
        id3.extend_from_slice(&mp4[..]);
        assert!(matches!(checked(&id3), Err(Unkept::Unknown)));
        // A box renamed `free` that still holds the place.
        let mut renamed = mp4[..24].to_vec();
        let place = b"\xa9xyz+60.1699+024.9384/";
        renamed.extend_from_slice(&(8 + place.len() as u32).to_be_bytes());
        renamed.extend_from_slice(b"free");
        renamed.extend_from_slice(place);
        renamed.extend_from_slice(&mp4[24..]);
        assert!(matches!(checked(&renamed), Err(Unkept::Metadata(_))));
        // A picture too big for the app to have made is not read.
        let clean = imported(false);
        assert!(matches!(
            check(io::Cursor::new(&clean[..]), MAX_PICTURE_BYTES + 1),
            Err(Unkept::TooBig(_))
        ));
    }

    #[test]
    fn room_for_other_data_inside_an_allowed_segment_or_chunk_is_refused() {
        // A DQT carrying a table and then anything else.
        let mut table = vec![0u8];
        table.extend_from_slice(&[1u8; 64]);
        table.extend_from_slice(b"lat 60.17 lon 24.94");
        let padded = jpeg_with(&segment(0xDB, &table));
        assert!(matches!(checked(&padded), Err(Unkept::Metadata(_))));
        // A DRI that is not two bytes.
        let dri = jpeg_with(&segment(0xDD, b"\0\x10GPS"));
        assert!(matches!(checked(&dri), Err(Unkept::Metadata(_))));
        // A pHYs chunk longer than nine bytes.
        let mut chunk = 20u32.to_be_bytes().to_vec();
        chunk.extend_from_slice(b"pHYs");
        chunk.extend_from_slice(&[0u8; 9]);
        chunk.extend_from_slice(b"60.17,24.94");
        chunk.extend_from_slice(&[0u8; 4]);
        let bad = png_with(&chunk);
        assert!(matches!(checked(&bad), Err(Unkept::Metadata(_))));
    }
}
