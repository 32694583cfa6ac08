//! Pictures: decode within limits, turn upright, drop every piece of metadata, scale down, and
//! make the thumbnails.
//!
//! Re-encoding is what strips metadata: the stored bytes are written fresh from pixels, so no
//! EXIF (GPS position, camera serial, time) or XMP of the original can survive.
//!
//! JPEGs (nearly every photo) go through libjpeg-turbo ([`crate::jpeg`]), decoded at the
//! smallest DCT scale that still covers the size wanted; everything else, and any JPEG that
//! libjpeg-turbo cannot read (CMYK, say), through the `image` crate with allocation limits.

use std::io::Cursor;

use image::codecs::png::PngEncoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};

use crate::error::{Error, Result};
use crate::progress::{self, Control, Stage};
use crate::sniff::MediaType;
use crate::{jpeg, Settings};

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

/// The whole pipeline for a picture to be stored. Reports up to 80 %; storing is the rest.
pub(crate) fn prepare(
    name: &str,
    bytes: &[u8],
    settings: &Settings,
    control: &Control,
) -> Result<Prepared> {
    progress::report(control, Stage::Checking, 0.02);
    let image = decode(name, bytes, settings, settings.max_long_edge)?;
    check(name, control, Stage::Scaling, 0.45)?;
    let image = shrunk(&image, settings.max_long_edge).unwrap_or(image);
    check(name, control, Stage::Thumbnails, 0.55)?;

    let keep_alpha = image.color().has_alpha();
    let mut sizes = settings.thumbnail_sizes.clone();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    let mut thumbnails = Vec::new();
    let mut larger: Option<DynamicImage> = None;
    for size in sizes {
        // Each thumbnail is made from the next larger one: the 256 px from the 1024 px costs
        // a sixtieth of scaling the photo again, and looks the same.
        let source = larger.as_ref().unwrap_or(&image);
        let thumb = shrunk(source, size).unwrap_or_else(|| source.clone());
        thumbnails.push((size, encode(name, &thumb, keep_alpha)?));
        larger = Some(thumb);
        check(name, control, Stage::Thumbnails, 0.6)?;
    }
    thumbnails.sort_unstable_by_key(|(size, _)| *size);
    let bytes = encode(name, &image, keep_alpha)?;
    check(name, control, Stage::Storing, 0.8)?;
    Ok(Prepared {
        bytes,
        mime: mime(keep_alpha),
        width: image.width(),
        height: image.height(),
        thumbnails,
    })
}

/// Just a thumbnail, as fast as it can be made (a preview while the whole import runs, and
/// the figure the benchmark compares with vipsthumbnail): upright, metadata-free, long edge
/// `edge`. Returns the bytes and their MIME type.
pub fn thumbnail(
    name: &str,
    bytes: &[u8],
    edge: u32,
    settings: &Settings,
) -> Result<(Vec<u8>, &'static str)> {
    let image = decode(name, bytes, settings, edge)?;
    let image = shrunk(&image, edge).unwrap_or(image);
    let keep_alpha = image.color().has_alpha();
    Ok((encode(name, &image, keep_alpha)?, mime(keep_alpha)))
}

fn check(name: &str, control: &Control, next: Stage, done: f32) -> Result<()> {
    if control.is_cancelled() {
        return Err(Error::Cancelled { name: name.into() });
    }
    progress::report(control, next, done);
    Ok(())
}

fn mime(keep_alpha: bool) -> &'static str {
    if keep_alpha {
        "image/png"
    } else {
        "image/jpeg"
    }
}

/// Decodes, upright, at a size whose long edge is at least `at_least` where the format allows
/// decoding smaller (JPEG), else whole.
fn decode(name: &str, bytes: &[u8], settings: &Settings, at_least: u32) -> Result<DynamicImage> {
    let damaged = |why: String| Error::Damaged {
        name: name.into(),
        kind: "a picture",
        why,
    };
    if matches!(
        crate::sniff::sniff(&bytes[..bytes.len().min(64 * 1024)]),
        Some(MediaType::Heic | MediaType::Avif)
    ) {
        #[cfg(feature = "heif")]
        return crate::heif::decode(name, bytes, settings);
        #[cfg(not(feature = "heif"))]
        return Err(Error::Damaged {
            name: name.into(),
            kind: "a picture",
            why: "HEIC and AVIF photos are read by the app, not by this program".into(),
        });
    }
    if bytes.starts_with(b"\xFF\xD8") {
        let cleaned = jpeg::without_stray_bytes(bytes);
        let bytes = &cleaned[..];
        if !jpeg::is_complete(bytes) {
            // Both decoders paint a cut-off photo grey and call it a success.
            return Err(damaged(
                "the photo is cut off (it has no end marker): copy it again".into(),
            ));
        }
        let (width, height) = jpeg::dimensions(bytes).map_err(damaged)?;
        within_limits(name, width, height, settings)?;
        if let Ok(rgb) = jpeg::decode_scaled(bytes, at_least) {
            let mut image = DynamicImage::ImageRgb8(rgb);
            image.apply_orientation(jpeg::orientation(bytes));
            return Ok(image);
        }
        // Fall through: the `image` decoder reads CMYK and a few other rarities, and gives
        // the clearer error for a damaged file.
    }
    decode_generic(name, bytes, settings).map_err(|e| match e {
        Error::Damaged { .. } | Error::TooManyPixels { .. } => e,
        other => damaged(other.to_string()),
    })
}

pub(crate) fn within_limits(
    name: &str,
    width: u32,
    height: u32,
    settings: &Settings,
) -> Result<()> {
    if u64::from(width) * u64::from(height) > settings.max_pixels {
        return Err(Error::TooManyPixels {
            name: name.into(),
            width,
            height,
            max_pixels: settings.max_pixels,
        });
    }
    Ok(())
}

/// PNG, WebP, GIF (its first frame) and JPEGs libjpeg-turbo refused, through `image`.
fn decode_generic(name: &str, bytes: &[u8], settings: &Settings) -> Result<DynamicImage> {
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
    within_limits(name, width, height, settings)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(damaged)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// The image scaled so that its long edge is `edge`, or `None` if it already fits.
/// Box-averaging (`thumbnail`) when shrinking a lot, where it is both fastest and free of
/// aliasing; a triangle filter for small reductions, where boxes would blur unevenly.
fn shrunk(image: &DynamicImage, edge: u32) -> Option<DynamicImage> {
    let long = image.width().max(image.height());
    if long <= edge {
        return None;
    }
    let (w, h) = fit(image.width(), image.height(), edge);
    Some(if long >= edge * 2 {
        image.thumbnail_exact(w, h)
    } else {
        image.resize_exact(w, h, image::imageops::FilterType::Triangle)
    })
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
    let failed = |why: String| Error::Encode {
        name: name.into(),
        why,
    };
    if keep_alpha {
        let mut out = Vec::new();
        image
            .to_rgba8()
            .write_with_encoder(PngEncoder::new(&mut out))
            .map_err(|e| failed(e.to_string()))?;
        return Ok(out);
    }
    match image {
        // No copy of the (possibly 48 MB) pixels just to hand them to the encoder.
        DynamicImage::ImageRgb8(rgb) => jpeg::encode(rgb, JPEG_QUALITY),
        other => jpeg::encode(&other.to_rgb8(), JPEG_QUALITY),
    }
    .map_err(failed)
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
