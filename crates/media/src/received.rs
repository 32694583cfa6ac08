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
//! Only what the encoders here write is allowed: in a JPEG, the frame, table, restart and scan
//! segments and a JFIF APP0 without a thumbnail; in a PNG, the critical chunks and the
//! colour-describing ancillary ones (tRNS, gAMA, cHRM, sRGB, sBIT, bKGD, pHYs). A parser
//! library (img-parts) stops at the first scan and ignores what follows EOI, which is exactly
//! where a crafted file hides data, so the walk is this crate's own.
//!
//! Sound and video are taken as they come for now (their metadata is the media issue's
//! container work); any other file is refused.

use std::io::{self, BufRead, BufReader, Read};

use crate::sniff::{sniff, MediaKind, MediaType};

/// Why a received file is not kept.
#[derive(Debug, thiserror::Error)]
pub enum Unkept {
    #[error("it is not a picture, sound or video this app stores")]
    Unknown,
    #[error("it is a {0:?} picture: this app stores pictures as JPEG or PNG only")]
    OtherPicture(MediaType),
    #[error("it is a picture carrying {0}, which this app strips from every picture it stores")]
    Metadata(String),
    #[error("it has bytes after the end of its picture")]
    Trailing,
    #[error("it is not a well-formed {format}: {why}")]
    Malformed { format: &'static str, why: String },
    #[error("it could not be read: {0}")]
    Io(#[from] io::Error),
}

/// Checks a received file, read from its start.
///
/// # Errors
/// [`Unkept`]: an unknown type, a picture format the import never writes, a picture with
/// metadata or trailing bytes, a malformed picture, or a read error.
pub fn check(file: impl Read) -> Result<(), Unkept> {
    let mut reader = BufReader::with_capacity(64 << 10, file);
    let head = reader.fill_buf()?;
    match sniff(head) {
        Some(MediaType::Jpeg) => jpeg(&mut reader),
        Some(MediaType::Png) => png(&mut reader),
        Some(other) if other.kind() == MediaKind::Image => Err(Unkept::OtherPicture(other)),
        Some(_) => Ok(()),
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
        let payload = u64::from(len - 2);
        match marker {
            // SOF0–15 but the reserved JPG (C8), DHT (C4) and DAC (CC); DQT, DRI, DNL.
            0xC0..=0xC7 | 0xC9..=0xCF | 0xDB | 0xDD | 0xDC => skip(r, payload, JPEG)?,
            0xE0 => jfif(r, payload)?,
            0xDA => {
                skip(r, payload, JPEG)?;
                marker = after_scan(r)?;
                continue;
            }
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
            other => {
                return Err(malformed(
                    JPEG,
                    format!("a marker 0xFF{other:02X} the app never writes"),
                ))
            }
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
        let mut used = 0;
        for &b in buf {
            used += 1;
            if pending_ff {
                match b {
                    0x00 | 0xD0..=0xD7 => pending_ff = false,
                    0xFF => {}
                    code => {
                        r.consume(used);
                        return Ok(code);
                    }
                }
            } else if b == 0xFF {
                pending_ff = true;
            }
        }
        r.consume(used);
    }
}

/// APP0 as libjpeg writes it: "JFIF\0", version, density, and no thumbnail (a thumbnail is a
/// second, unstripped copy of the picture).
fn jfif(r: &mut impl BufRead, payload: u64) -> Result<(), Unkept> {
    if payload != 14 {
        return Err(Unkept::Metadata(
            "application data other than a bare JFIF header (APP0)".into(),
        ));
    }
    let body = exact::<14>(r, JPEG)?;
    if &body[..5] != b"JFIF\0" || body[12] != 0 || body[13] != 0 {
        return Err(Unkept::Metadata(
            "application data other than a bare JFIF header (APP0)".into(),
        ));
    }
    Ok(())
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
        check(&imported(false)[..]).unwrap();
        check(&imported(true)[..]).unwrap();
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
            check(&store.blob(&blob.hash).unwrap()[..]).unwrap();
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
                matches!(check(&bad[..]), Err(Unkept::Metadata(_))),
                "{:?}",
                check(&bad[..])
            );
        }
        // Hidden after the end, or between the scan and the end.
        let mut after = imported(false);
        after.extend_from_slice(&gps);
        assert!(matches!(check(&after[..]), Err(Unkept::Trailing)));
        let mut between = imported(false);
        let end = between.len() - 2;
        between.splice(end..end, gps.iter().copied());
        assert!(matches!(check(&between[..]), Err(Unkept::Metadata(_))));
        // A JFIF header carrying a thumbnail, and one cut short.
        let mut thumb = b"JFIF\0\x01\x01\0\0\x01\0\x01".to_vec();
        thumb.extend_from_slice(&[2, 2]);
        thumb.extend_from_slice(&[0u8; 12]);
        assert!(check(&jpeg_with(&segment(0xE0, &thumb))[..]).is_err());
        let clean = imported(false);
        assert!(matches!(
            check(&clean[..clean.len() - 10]),
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
        // After IHDR (8 + 25 bytes).
        for extra in [
            chunk(b"tEXt", b"Location\x0060.17,24.94"),
            chunk(b"eXIf", b"MM\0*"),
            chunk(b"tIME", &[7, 234, 11, 30, 4, 20, 0]),
            chunk(b"prVt", b"anything"),
        ] {
            let mut bad = clean[..33].to_vec();
            bad.extend_from_slice(&extra);
            bad.extend_from_slice(&clean[33..]);
            assert!(
                matches!(check(&bad[..]), Err(Unkept::Metadata(_))),
                "{:?}",
                check(&bad[..])
            );
        }
        let mut after = clean.clone();
        after.extend_from_slice(b"GPS 60.17 24.94");
        assert!(matches!(check(&after[..]), Err(Unkept::Trailing)));
    }

    #[test]
    fn other_pictures_and_unknown_files_are_refused_sound_passes() {
        assert!(matches!(
            check(&b"GIF89a\x01\0\x01\0"[..]),
            Err(Unkept::OtherPicture(_))
        ));
        assert!(matches!(
            check(&b"just some bytes"[..]),
            Err(Unkept::Unknown)
        ));
        let wav = [&b"RIFF\x24\0\0\0WAVEfmt "[..], &[0u8; 32]].concat();
        check(&wav[..]).unwrap();
    }
}
