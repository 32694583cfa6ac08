//! What the teacher's screen shows to enrol a tablet, and how the tablet reads it back: the
//! QR code (the whole [`Payload`]) and the eight-digit short code that stands for it.
//!
//! An open short code is kept in the teacher's data folder under its slot with the invitation
//! it hands over ([`hugme_sync::code`] does the proving). It is void after
//! [`MAX_ATTEMPTS`] attempts (six secret digits against that many guesses), after
//! [`CODE_LIFETIME_MS`], or once its invitation is used.

use hugme_store::{now_ms, Store};
use hugme_sync::code::{OpenCode, ShortCode};
use hugme_sync::error::Refusal;

use crate::error::{BadInvitation, Error, Result};
use crate::membership::invitations::{code, invitation, put_code, CodeRecord, Payload};

/// A lesson: the teacher shows the code, the groups type it.
pub const CODE_LIFETIME_MS: i64 = 2 * 60 * 60 * 1000;
/// Attempts before a short code is void.
pub const MAX_ATTEMPTS: u32 = 5;

/// Whether `slot` holds a code still open: a shared template's, or an enrolment's not yet
/// used up (a new code of either kind must take another slot).
pub(crate) fn slot_taken(store: &Store, slot: &str) -> bool {
    crate::templates::shared(store, slot)
        || match code(store, slot) {
            Ok(Some(r)) => {
                r.expires_at > now_ms()
                    && r.attempts < MAX_ATTEMPTS
                    && !used(store, &r.token).unwrap_or(true)
            }
            _ => false,
        }
}

/// Whether the invitation behind `token` has been used (the tablet is in).
fn used(store: &Store, token: &str) -> Result<bool> {
    Ok(invitation(store, token)?.is_none_or(|i| i.used))
}

/// Opens a short code for the invitation `payload` (whose token is `payload.token`); the
/// code and until when it is valid.
pub fn open(store: &Store, payload: &Payload) -> Result<(ShortCode, i64)> {
    let now = now_ms();
    let code = ShortCode::random(|slot| slot_taken(store, slot)).ok_or(Error::TooManyCodes)?;
    let expires_at = (now + CODE_LIFETIME_MS).min(payload.expires_at);
    put_code(
        store,
        &code.slot,
        &CodeRecord {
            secret: code.secret.clone(),
            token: payload.token.clone(),
            payload: payload.clone(),
            expires_at,
            attempts: 0,
        },
    )?;
    Ok((code, expires_at))
}

/// The open code in `slot`, counting this attempt (the teacher's device answering a tablet).
pub fn attempt(store: &Store, slot: &str) -> Result<OpenCode> {
    // Counted one at a time: two tries at once must not both read the same count.
    static COUNTING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = hugme_task::lock(&COUNTING);
    let mut r = code(store, slot)?.ok_or(Refusal::NoOpenCode)?;
    if r.expires_at < now_ms() || used(store, &r.token)? {
        return Err(Refusal::NoOpenCode.into());
    }
    if r.attempts >= MAX_ATTEMPTS {
        return Err(Refusal::CodeTriedTooOften.into());
    }
    r.attempts += 1;
    put_code(store, slot, &r)?;
    Ok(OpenCode {
        secret: r.secret,
        invitation: serde_json::to_vec(&r.payload)?,
    })
}

/// The QR code of a payload, as an SVG for the teacher's screen.
pub fn qr_svg(payload: &Payload) -> Result<String> {
    let code = qr(payload)?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .quiet_zone(true)
        .min_dimensions(320, 320)
        .build())
}

/// The QR code of a payload as a PNG, `scale` pixels a module with a quiet zone: to print
/// on an enrolment card, or to pick as a photo on a tablet without a working camera.
pub fn qr_png(payload: &Payload, scale: usize) -> Result<Vec<u8>> {
    let code = qr(payload)?;
    let modules = code.width();
    let dark = code.to_colors();
    let side = (modules + 8) * scale;
    let mut grey = vec![255u8; side * side];
    for y in 0..side {
        for x in 0..side {
            let (mx, my) = ((x / scale).wrapping_sub(4), (y / scale).wrapping_sub(4));
            if mx < modules && my < modules && dark[my * modules + mx] == qrcode::Color::Dark {
                grey[y * side + x] = 0;
            }
        }
    }
    let image = Error::QrImage;
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(image)?;
    writer.write_image_data(&grey).map_err(image)?;
    writer.finish().map_err(image)?;
    Ok(out)
}

fn qr(payload: &Payload) -> Result<qrcode::QrCode> {
    let text = serde_json::to_string(payload)?;
    // M: a smudged screen or a tilted camera still reads it.
    qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|_| Error::BadInvitation(BadInvitation::TooLong))
}

/// Reads an enrolment QR code in a camera frame (8-bit grey, row by row). `Ok(None)` when the
/// frame shows none; an error when it shows a QR code that is not an enrolment.
pub fn read_qr(width: usize, height: usize, grey: &[u8]) -> Result<Option<Payload>> {
    if width == 0 || height == 0 || grey.len() != width * height {
        return Err(Error::BadInvitation(BadInvitation::FrameSize {
            width,
            height,
            len: grey.len(),
        }));
    }
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| grey[y * width + x]);
    let mut other = false;
    for grid in image.detect_grids() {
        let Ok((_, text)) = grid.decode() else {
            continue;
        };
        match serde_json::from_str::<Payload>(&text) {
            Ok(payload) => return Ok(Some(payload)),
            Err(_) => other = true,
        }
    }
    if other {
        return Err(Error::BadInvitation(BadInvitation::NotOurs));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload() -> Payload {
        Payload {
            class: uuid::Uuid::new_v4().to_string(),
            class_name: "5B".into(),
            authority: "ab".repeat(32),
            hubs: vec!["192.168.1.20:7420".into(), "10.0.0.5:7420".into()],
            token: "cd".repeat(32),
            device: uuid::Uuid::new_v4().to_string(),
            expires_at: now_ms() + 600_000,
        }
    }

    /// The QR code as a camera would see it: `scale` pixels a module, grey not black, some
    /// noise, a quiet zone, in a bigger frame.
    fn photographed(code: &qrcode::QrCode, scale: usize) -> (usize, usize, Vec<u8>) {
        let modules = code.width();
        let side = (modules + 8) * scale + 37;
        let dark = code.to_colors();
        let mut frame = vec![0u8; side * side];
        for y in 0..side {
            for x in 0..side {
                let (mx, my) = ((x / scale) as isize - 4, (y / scale) as isize - 4);
                let inside =
                    (0..modules as isize).contains(&mx) && (0..modules as isize).contains(&my);
                let is_dark =
                    inside && dark[my as usize * modules + mx as usize] == qrcode::Color::Dark;
                let noise = ((x * 31 + y * 17) % 23) as u8;
                frame[y * side + x] = if is_dark { 40 + noise } else { 200 + noise };
            }
        }
        (side, side, frame)
    }

    #[test]
    fn the_qr_code_reads_back_as_the_payload() {
        let p = payload();
        let (w, h, frame) = photographed(&qr(&p).unwrap(), 3);
        assert_eq!(read_qr(w, h, &frame).unwrap(), Some(p.clone()));
        let svg = qr_svg(&p).unwrap();
        assert!(
            svg.starts_with("<?xml") && svg.contains("<svg"),
            "{}",
            &svg[..80]
        );
    }

    #[test]
    fn the_printable_qr_code_reads_back_as_the_payload() {
        let p = payload();
        let png_bytes = qr_png(&p, 4).unwrap();
        let mut reader = png::Decoder::new(std::io::Cursor::new(png_bytes))
            .read_info()
            .unwrap();
        let mut grey = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut grey).unwrap();
        grey.truncate(info.buffer_size());
        let (w, h) = (info.width as usize, info.height as usize);
        assert_eq!(read_qr(w, h, &grey).unwrap(), Some(p));
    }

    #[test]
    fn a_frame_without_a_code_or_with_another_code_says_so() {
        let blank = vec![128u8; 64 * 48];
        assert_eq!(read_qr(64, 48, &blank).unwrap(), None);
        let other = qrcode::QrCode::new(b"https://example.org/menu").unwrap();
        let (w, h, frame) = photographed(&other, 4);
        assert!(read_qr(w, h, &frame).is_err());
        assert!(read_qr(10, 10, &[0; 99]).is_err(), "wrong size");
    }

    /// The invitation behind `p`'s token, used or not.
    fn invite(store: &Store, p: &Payload, used: bool) {
        let invitation = crate::membership::invitations::Invitation {
            device: p.device.clone(),
            expires_at: p.expires_at,
            used,
            joins_as: None,
        };
        crate::membership::invitations::put_invitation(store, &p.token, &invitation).unwrap();
    }

    #[test]
    fn a_code_is_void_after_its_attempts_its_time_or_its_use() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let p = payload();
        invite(&store, &p, false);
        let (code, _) = open(&store, &p).unwrap();
        for _ in 0..MAX_ATTEMPTS {
            let open = attempt(&store, &code.slot).unwrap();
            assert_eq!(open.secret, code.secret);
            assert_eq!(
                serde_json::from_slice::<Payload>(&open.invitation).unwrap(),
                p
            );
        }
        assert!(attempt(&store, &code.slot).is_err(), "tried too often");
        assert!(attempt(&store, "xx").is_err(), "no such slot");

        let (again, _) = open(&store, &p).unwrap();
        assert!(attempt(&store, &again.slot).is_ok());
        invite(&store, &p, true);
        assert!(attempt(&store, &again.slot).is_err(), "invitation used");
    }
}
