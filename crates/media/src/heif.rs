//! HEIC/HEIF (iPhones' and iPads' photos by default, many Android phones') and AVIF photos,
//! decoded by libheif (with libde265 for HEVC and dav1d or libaom for AV1).
//!
//! libheif is the reference reader of the format (it is what GIMP, GNOME's image loader and
//! ImageMagick use); the `libheif-rs` crate builds it from the source it carries
//! (`embedded-libheif`: Debian 12's libheif is older than the crate takes), linked to the
//! system's HEVC and AV1 decoders, which are where the bitstream parsing happens and which
//! Debian keeps patched. The picture comes out turned as the file says (`irot`/`imir`,
//! applied by libheif; HEIF's rule is that these, not EXIF's orientation, count), as 8-bit
//! RGB(A). Nothing of the file's metadata comes along: the picture is re-encoded from pixels
//! like any other ([`crate::picture`]).

use image::{DynamicImage, RgbImage, RgbaImage};
use libheif_rs::{ColorSpace, HeifContext, LibHeif, RgbChroma};

use crate::error::{Error, Result};
use crate::Settings;

/// Decodes the primary picture of a HEIF or AVIF file, within `settings`' pixel limit
/// (checked from the header, before anything is decoded; libheif's own limits are set to it
/// too, so a picture made of tiles cannot grow past it).
///
/// # Errors
/// [`Error::TooManyPixels`] for a picture over the limit; [`Error::Damaged`] for one libheif
/// cannot read or decode (cut off, malformed, or coded in a format with no decoder here).
pub(crate) fn decode(name: &str, bytes: &[u8], settings: &Settings) -> Result<DynamicImage> {
    let damaged = |e: libheif_rs::HeifError| Error::Damaged {
        name: name.into(),
        kind: "a picture",
        why: e.message,
    };
    let lib = LibHeif::new();
    let mut context = HeifContext::new().map_err(damaged)?;
    let mut limits = context.security_limits();
    limits.set_max_image_size_pixels(settings.max_pixels);
    // The decoded planes (YCbCr, at most 3 bytes a pixel) and the RGB(A) picture (4): enough
    // for a picture within the limit, and a bound on what a crafted file makes it allocate.
    limits.set_max_total_memory(
        settings
            .max_pixels
            .saturating_mul(7)
            .saturating_add(32 << 20),
    );
    context.set_security_limits(&limits).map_err(damaged)?;
    context.read_bytes(bytes).map_err(damaged)?;
    let handle = context.primary_image_handle().map_err(damaged)?;
    crate::picture::within_limits(name, handle.width(), handle.height(), settings)?;
    let alpha = handle.has_alpha_channel();
    let chroma = if alpha {
        RgbChroma::Rgba
    } else {
        RgbChroma::Rgb
    };
    let image = lib
        .decode(&handle, ColorSpace::Rgb(chroma), None)
        .map_err(damaged)?;
    let (width, height) = (image.width(), image.height());
    if width == 0 || height == 0 {
        return Err(Error::Damaged {
            name: name.into(),
            kind: "a picture",
            why: "it has no pixels".into(),
        });
    }
    crate::picture::within_limits(name, width, height, settings)?;
    let planes = image.planes();
    let plane = planes.interleaved.ok_or_else(|| Error::Damaged {
        name: name.into(),
        kind: "a picture",
        why: "libheif gave no RGB picture".into(),
    })?;
    let channels = if alpha { 4 } else { 3 };
    let row = width as usize * channels;
    if plane.stride < row || plane.data.len() < plane.stride * (height as usize - 1) + row {
        return Err(Error::Damaged {
            name: name.into(),
            kind: "a picture",
            why: "libheif gave a picture smaller than its size".into(),
        });
    }
    let mut pixels = Vec::with_capacity(row * height as usize);
    for y in 0..height as usize {
        pixels.extend_from_slice(&plane.data[y * plane.stride..y * plane.stride + row]);
    }
    let wrong = || Error::Damaged {
        name: name.into(),
        kind: "a picture",
        why: "its pixels do not fill its size".into(),
    };
    Ok(if alpha {
        DynamicImage::ImageRgba8(RgbaImage::from_raw(width, height, pixels).ok_or_else(wrong)?)
    } else {
        DynamicImage::ImageRgb8(RgbImage::from_raw(width, height, pixels).ok_or_else(wrong)?)
    })
}
