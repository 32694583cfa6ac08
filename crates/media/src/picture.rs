//! Pictures: decode within limits, turn upright, drop every piece of metadata, scale down, and
//! make the thumbnails.
//!
//! Re-encoding is what strips metadata: the stored bytes are written fresh from pixels, so no
//! EXIF (GPS position, camera serial, time) or XMP of the original can survive.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};

use crate::error::{Error, Result};
use crate::Settings;

/// JPEG quality of stored photos and thumbnails: visually clean, about a third of q95's size.
const JPEG_QUALITY: u8 = 85;

/// A picture ready to store: its bytes and size, and its thumbnails.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
    pub thumbnails: Vec<(u32, Vec<u8>)>,
}

pub(crate) fn prepare(name: &str, bytes: &[u8], settings: &Settings) -> Result<Prepared> {
    if bytes.starts_with(b"\xFF\xD8") && !jpeg_is_complete(bytes) {
        // The JPEG decoder paints a cut-off photo grey and calls it a success.
        return Err(Error::Damaged {
            name: name.into(),
            kind: "a picture",
            why: "the photo is cut off (it has no end marker): copy it again".into(),
        });
    }
    let damaged = |e: image::ImageError| Error::Damaged {
        name: name.into(),
        kind: "a picture",
        why: e.to_string(),
    };
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| Error::Damaged {
            name: name.into(),
            kind: "a picture",
            why: e.to_string(),
        })?;
    let mut limits = Limits::default();
    // The decoder's own allocations are capped too, so a bomb is refused before it allocates.
    limits.max_alloc = Some(
        settings
            .max_pixels
            .saturating_mul(4)
            .saturating_add(64 << 20),
    );
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(damaged)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > settings.max_pixels {
        return Err(Error::TooManyPixels {
            name: name.into(),
            width,
            height,
            max_pixels: settings.max_pixels,
        });
    }
    let orientation = decoder.orientation().map_err(damaged)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(damaged)?;
    image.apply_orientation(orientation);

    let long_edge = image.width().max(image.height());
    if long_edge > settings.max_long_edge {
        let (w, h) = fit(image.width(), image.height(), settings.max_long_edge);
        image = image.resize_exact(w, h, image::imageops::FilterType::Triangle);
    }
    let keep_alpha = image.color().has_alpha();
    let encode = |img: &DynamicImage| encode(name, img, keep_alpha);
    let mut thumbnails = Vec::new();
    for &size in &settings.thumbnail_sizes {
        let thumb = if image.width().max(image.height()) > size {
            image.thumbnail(size, size)
        } else {
            image.clone()
        };
        thumbnails.push((size, encode(&thumb)?));
    }
    Ok(Prepared {
        bytes: encode(&image)?,
        mime: if keep_alpha {
            "image/png"
        } else {
            "image/jpeg"
        },
        width: image.width(),
        height: image.height(),
        thumbnails,
    })
}

/// Whether a JPEG has its end-of-image marker after its image data. Segments are walked to
/// the first scan, so a thumbnail inside the EXIF (a whole small JPEG) does not count; in the
/// scan data itself 0xFF is always stuffed, so FF D9 there can only be the real end.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut at = 2;
    while at + 4 <= bytes.len() && bytes[at] == 0xFF {
        let marker = bytes[at + 1];
        if marker == 0xDA {
            return bytes[at..].windows(2).any(|w| w == [0xFF, 0xD9]);
        }
        if marker == 0xFF {
            at += 1; // fill byte
            continue;
        }
        let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        at += 2 + len;
    }
    false
}

/// Width and height that fit within `edge` on the long side, keeping the aspect ratio.
fn fit(width: u32, height: u32, edge: u32) -> (u32, u32) {
    let scale = f64::from(edge) / f64::from(width.max(height));
    let w = (f64::from(width) * scale).round().max(1.0) as u32;
    let h = (f64::from(height) * scale).round().max(1.0) as u32;
    (w, h)
}

/// Pictures with transparency (drawings) stay PNG; photos become JPEG.
fn encode(name: &str, image: &DynamicImage, keep_alpha: bool) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let result = if keep_alpha {
        image
            .to_rgba8()
            .write_with_encoder(PngEncoder::new(&mut out))
    } else {
        image
            .to_rgb8()
            .write_with_encoder(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY))
    };
    result.map_err(|e| Error::Encode {
        name: name.into(),
        why: e.to_string(),
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn fitting_keeps_the_aspect_ratio() {
        assert_eq!(fit(4000, 3000, 256), (256, 192));
        assert_eq!(fit(3000, 4000, 1024), (768, 1024));
        assert_eq!(fit(10_000, 1, 4096), (4096, 1));
    }
}
