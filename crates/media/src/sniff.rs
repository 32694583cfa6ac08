//! Recognising a file's type from its first bytes, never from its name.

/// What a file is, as far as its first bytes tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    Jpeg,
    Png,
    WebP,
    Gif,
    WebmAudio,
    WebmVideo,
    Ogg,
    M4a,
    Mp3,
    Wav,
    Mp4,
    /// HEIC/HEIF: iPhones' and iPads' photos.
    Heic,
    /// AVIF: AV1 in HEIF, newer Android phones' and the web's photos.
    Avif,
}

/// The broad kind of media, as a pupil thinks of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Image,
    Audio,
    Video,
}

impl MediaKind {
    /// The word for the kind in an error message.
    pub fn noun(self) -> &'static str {
        match self {
            MediaKind::Image => "a picture",
            MediaKind::Audio => "a sound",
            MediaKind::Video => "a video",
        }
    }
}

impl MediaType {
    /// The MIME type stored with the blob.
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::WebP => "image/webp",
            MediaType::Gif => "image/gif",
            MediaType::WebmAudio => "audio/webm",
            MediaType::WebmVideo => "video/webm",
            MediaType::Ogg => "audio/ogg",
            MediaType::M4a => "audio/mp4",
            MediaType::Mp3 => "audio/mpeg",
            MediaType::Wav => "audio/wav",
            MediaType::Mp4 => "video/mp4",
            MediaType::Heic => "image/heic",
            MediaType::Avif => "image/avif",
        }
    }

    /// Picture, sound or video.
    pub fn kind(self) -> MediaKind {
        match self {
            MediaType::Jpeg
            | MediaType::Png
            | MediaType::WebP
            | MediaType::Gif
            | MediaType::Heic
            | MediaType::Avif => MediaKind::Image,
            MediaType::WebmAudio
            | MediaType::Ogg
            | MediaType::M4a
            | MediaType::Mp3
            | MediaType::Wav => MediaKind::Audio,
            MediaType::WebmVideo | MediaType::Mp4 => MediaKind::Video,
        }
    }
}

/// Recognises a file from its first bytes (give at least the first 64 KiB for WebM).
pub fn sniff(head: &[u8]) -> Option<MediaType> {
    let at = |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
    if at(0, b"\xFF\xD8\xFF") {
        return Some(MediaType::Jpeg);
    }
    if at(0, b"\x89PNG\r\n\x1a\n") {
        return Some(MediaType::Png);
    }
    if at(0, b"GIF87a") || at(0, b"GIF89a") {
        return Some(MediaType::Gif);
    }
    if at(0, b"RIFF") && at(8, b"WEBP") {
        return Some(MediaType::WebP);
    }
    if at(0, b"RIFF") && at(8, b"WAVE") {
        return Some(MediaType::Wav);
    }
    if at(0, b"OggS") {
        return Some(MediaType::Ogg);
    }
    if at(0, b"\x1A\x45\xDF\xA3") {
        // Matroska/WebM: a video track names a V_ codec (V_VP8, V_VP9, V_AV1, V_MPEG4/…).
        let video = head
            .windows(4)
            .any(|w| w == b"V_VP" || w == b"V_AV" || w == b"V_MP");
        return Some(if video {
            MediaType::WebmVideo
        } else {
            MediaType::WebmAudio
        });
    }
    if at(4, b"ftyp") {
        if let Some(still) = still_image(head) {
            return Some(still);
        }
        let brand = head.get(8..12)?;
        return Some(match brand {
            b"M4A " | b"M4B " => MediaType::M4a,
            _ => MediaType::Mp4,
        });
    }
    if at(0, b"ID3") {
        // An ID3 tag in front of an MP4 is not an MP3 (it would pass as one, box and all).
        if head.windows(4).any(|w| w == b"ftyp" || w == b"moov") {
            return None;
        }
        return Some(MediaType::Mp3);
    }
    if head.len() > 1 && head[0] == 0xFF && (head[1] & 0xE6) == 0xE2 {
        return Some(MediaType::Mp3);
    }
    None
}

/// An ISO-BMFF `ftyp` whose major or compatible brands name a still image (HEIF's image
/// brands, MIAF; AVIF's): HEIC or AVIF, by whether an AVIF brand is among them
/// (ISO/IEC 23008-12 §10, the AVIF specification §7).
pub(crate) fn still_image(head: &[u8]) -> Option<MediaType> {
    let size = u32::from_be_bytes(head.get(..4)?.try_into().ok()?) as usize;
    let ftyp = head.get(8..size.min(head.len()))?;
    let brands = || {
        std::iter::once(ftyp.get(..4).unwrap_or_default())
            .chain(ftyp.get(8..).unwrap_or_default().chunks_exact(4))
    };
    if brands().any(|b| b == b"avif" || b == b"avis") {
        return Some(MediaType::Avif);
    }
    brands()
        .any(|b| {
            matches!(
                b,
                b"mif1"
                    | b"msf1"
                    | b"miaf"
                    | b"heic"
                    | b"heix"
                    | b"heim"
                    | b"heis"
                    | b"hevc"
                    | b"hevx"
            )
        })
        .then_some(MediaType::Heic)
}

/// The kind a file name promises, if its extension names one. `.webm` promises neither sound
/// nor video: Chromium's MediaRecorder names a sound `.webm` as readily as a video.
pub fn kind_of_name(name: &str) -> Option<MediaKind> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    match ext.as_str() {
        "jpg" | "jpeg" | "png" | "webp" | "gif" | "heic" | "heif" | "avif" => {
            Some(MediaKind::Image)
        }
        "mp3" | "m4a" | "aac" | "ogg" | "oga" | "opus" | "wav" | "weba" => Some(MediaKind::Audio),
        "mp4" | "m4v" | "mov" => Some(MediaKind::Video),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_formats_by_their_first_bytes() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest"), Some(MediaType::Jpeg));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(MediaType::WebP));
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVEfmt "), Some(MediaType::Wav));
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0"), Some(MediaType::Heic));
        assert_eq!(sniff(b"\0\0\0\x18ftypM4A \0\0\0\0"), Some(MediaType::M4a));
        assert_eq!(sniff(b"\0\0\0\x18ftypisom\0\0\0\0"), Some(MediaType::Mp4));
        assert_eq!(
            sniff(b"\x1A\x45\xDF\xA3....A_OPUS"),
            Some(MediaType::WebmAudio)
        );
        assert_eq!(
            sniff(b"\x1A\x45\xDF\xA3....V_VP9."),
            Some(MediaType::WebmVideo)
        );
        assert_eq!(sniff(b"ID3\x04"), Some(MediaType::Mp3));
        assert_eq!(sniff(b"hello world"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn names_promise_kinds() {
        assert_eq!(kind_of_name("kettu.JPG"), Some(MediaKind::Image));
        assert_eq!(kind_of_name("ääni.m4a"), Some(MediaKind::Audio));
        assert_eq!(kind_of_name("notes"), None);
    }
}
