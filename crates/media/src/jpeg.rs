//! JPEG through libjpeg-turbo: decoding at a reduced scale (the DCT is cut short, so a 12 MP
//! photo becomes a 500-pixel preview without ever being decoded whole), encoding, and the few
//! header facts the pipeline needs (EXIF orientation, whether the file is complete).

use image::metadata::Orientation;
use image::RgbImage;
use turbojpeg::{Compressor, Decompressor, Image, PixelFormat, ScalingFactor, Subsamp};

/// Width and height as the header gives them, before any scaling or turning.
pub(crate) fn dimensions(bytes: &[u8]) -> Result<(u32, u32), String> {
    let header = Decompressor::new()
        .and_then(|mut d| d.read_header(bytes))
        .map_err(|e| e.to_string())?;
    let w = u32::try_from(header.width).map_err(|e| e.to_string())?;
    let h = u32::try_from(header.height).map_err(|e| e.to_string())?;
    Ok((w, h))
}

/// Decodes at the smallest of libjpeg-turbo's scales (1/8 … 1) whose long edge still reaches
/// `at_least`, so the caller's resampling only ever scales down. Warnings count as errors:
/// libjpeg otherwise paints corrupt data grey and calls the result a success.
pub(crate) fn decode_scaled(bytes: &[u8], at_least: u32) -> Result<RgbImage, String> {
    let mut decoder = Decompressor::new().map_err(|e| e.to_string())?;
    let header = decoder.read_header(bytes).map_err(|e| e.to_string())?;
    let long = header.width.max(header.height);
    let scale = if header.is_lossless {
        ScalingFactor::ONE
    } else {
        [1, 2, 4, 8]
            .into_iter()
            .rev()
            .map(|denom| ScalingFactor::new(1, denom))
            .find(|s| s.scale(long) >= at_least as usize)
            .unwrap_or(ScalingFactor::ONE)
    };
    decoder
        .set_scaling_factor(scale)
        .map_err(|e| e.to_string())?;
    let scaled = header.scaled(scale);
    let mut pixels = vec![0u8; 3 * scaled.width * scaled.height];
    let image = Image {
        pixels: pixels.as_mut_slice(),
        width: scaled.width,
        pitch: 3 * scaled.width,
        height: scaled.height,
        format: PixelFormat::RGB,
    };
    decoder
        .decompress(bytes, image)
        .map_err(|e| e.to_string())?;
    let (w, h) = (
        u32::try_from(scaled.width).map_err(|e| e.to_string())?,
        u32::try_from(scaled.height).map_err(|e| e.to_string())?,
    );
    RgbImage::from_raw(w, h, pixels).ok_or_else(|| "the decoded size does not add up".into())
}

/// Encodes RGB pixels as a baseline JPEG with 4:2:0 chroma, as every browser shows it.
pub(crate) fn encode(image: &RgbImage, quality: u8) -> Result<Vec<u8>, String> {
    let mut encoder = Compressor::new().map_err(|e| e.to_string())?;
    encoder
        .set_quality(i32::from(quality))
        .map_err(|e| e.to_string())?;
    encoder
        .set_subsamp(Subsamp::Sub2x2)
        .map_err(|e| e.to_string())?;
    let width = image.width() as usize;
    encoder
        .compress_to_vec(Image {
            pixels: image.as_raw().as_slice(),
            width,
            pitch: 3 * width,
            height: image.height() as usize,
            format: PixelFormat::RGB,
        })
        .map_err(|e| e.to_string())
}

/// The EXIF orientation, from the first APP1 "Exif" segment before the image data.
pub(crate) fn orientation(bytes: &[u8]) -> Orientation {
    segments(bytes)
        .find(|(marker, body)| *marker == 0xE1 && body.starts_with(b"Exif\0\0"))
        .and_then(|(_, body)| Orientation::from_exif_chunk(&body[6..]))
        .unwrap_or(Orientation::NoTransforms)
}

/// The JPEG with the stray bytes some cameras leave between header segments taken out
/// (Pixel phones' `00 E1 …` segment that lost its 0xFF, padding before a DQT): libjpeg skips
/// them with a warning ("N extraneous bytes before marker") and shows the whole picture, but
/// the decoding here treats warnings as errors. Only the header, up to the first scan, is
/// looked at; `Borrowed` when there is nothing to take out.
pub(crate) fn without_stray_bytes(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let mut stray: Vec<(usize, usize)> = Vec::new();
    let mut at = 2;
    if bytes.starts_with(b"\xFF\xD8") {
        while at + 4 <= bytes.len() {
            if bytes[at] != 0xFF {
                let Some(to) = memchr::memchr(0xFF, &bytes[at..]) else {
                    break;
                };
                stray.push((at, at + to));
                at += to;
                continue;
            }
            match bytes[at + 1] {
                0xFF => at += 1, // a fill byte
                0xDA => break,
                0x01 | 0xD0..=0xD8 => at += 2,
                _ => at += 2 + usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]])),
            }
        }
    }
    if stray.is_empty() {
        return std::borrow::Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut from = 0;
    for (start, end) in stray {
        out.extend_from_slice(&bytes[from..start]);
        from = end;
    }
    out.extend_from_slice(&bytes[from..]);
    std::borrow::Cow::Owned(out)
}

/// Whether a JPEG has its end-of-image marker after its image data. Segments are walked to
/// the first scan, so a thumbnail inside the EXIF (a whole small JPEG) does not count; in the
/// scan data itself 0xFF is always stuffed, so FF D9 there can only be the real end.
pub(crate) fn is_complete(bytes: &[u8]) -> bool {
    let scan = segments(bytes).fold(None, |_, (marker, body)| {
        (marker == 0xDA).then(|| body.as_ptr() as usize - bytes.as_ptr() as usize)
    });
    scan.is_some_and(|at| bytes[at..].windows(2).any(|w| w == [0xFF, 0xD9]))
}

/// The marker segments from SOI up to and including the first scan header (SOS), as
/// (marker, segment body). Stops quietly at anything malformed.
fn segments(bytes: &[u8]) -> impl Iterator<Item = (u8, &[u8])> {
    let mut at = 2;
    let mut done = !bytes.starts_with(b"\xFF\xD8");
    std::iter::from_fn(move || {
        while !done {
            if at + 4 > bytes.len() || bytes[at] != 0xFF {
                done = true;
                return None;
            }
            let marker = bytes[at + 1];
            if marker == 0xFF {
                at += 1; // a fill byte
                continue;
            }
            let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
            let body = bytes.get(at + 4..at + 2 + len.max(2))?;
            at += 2 + len;
            done = marker == 0xDA;
            return Some((marker, body));
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny_jpeg() -> Vec<u8> {
        let image = RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
        encode(&image, 90).expect("encodes")
    }

    #[test]
    fn a_whole_jpeg_is_complete_and_a_cut_one_is_not() {
        let jpeg = tiny_jpeg();
        assert!(is_complete(&jpeg));
        assert!(!is_complete(&jpeg[..jpeg.len() - 2]));
        assert!(!is_complete(&jpeg[..jpeg.len() / 2]));
    }

    #[test]
    fn scaled_decoding_stops_at_the_smallest_scale_that_is_big_enough() {
        let jpeg = tiny_jpeg();
        assert_eq!(
            decode_scaled(&jpeg, 64).map(|i| i.dimensions()),
            Ok((64, 48))
        );
        assert_eq!(
            decode_scaled(&jpeg, 30).map(|i| i.dimensions()),
            Ok((32, 24))
        );
        assert_eq!(decode_scaled(&jpeg, 8).map(|i| i.dimensions()), Ok((8, 6)));
        assert_eq!(
            decode_scaled(&jpeg, 500).map(|i| i.dimensions()),
            Ok((64, 48))
        );
    }

    #[test]
    fn a_jpeg_without_exif_is_upright() {
        assert_eq!(orientation(&tiny_jpeg()), Orientation::NoTransforms);
    }
}
