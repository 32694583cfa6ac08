//! An Ogg Opus recording (a phone's voice note) stored as WebM: the same Opus packets, byte
//! for byte, in the container every player of the app can measure. GStreamer, which plays
//! sound in the Linux app, finds an Ogg file's length only when it reads a local file, never
//! over HTTP, so a voice note showed 0:00 and could not be seeked; a WebM with its `Duration`
//! plays with its length everywhere.
//!
//! Only a file of one Opus stream within [`MAX_REMUX_BYTES`] is rewritten (read whole); any
//! other Ogg keeps its container, its tags emptied ([`crate::ogg`]). The comment header is not
//! carried over (no tags at all). Packet lengths: RFC 6716 §3.1 (the TOC byte); Opus in
//! Matroska: the Matroska codec mapping (`A_OPUS`: CodecPrivate is the `OpusHead`, CodecDelay
//! the pre-skip, SeekPreRoll 80 ms); elements: RFC 9559 and RFC 8794.

/// The largest Ogg file rewritten as WebM (bytes): an hour of speech at 64 kb/s.
pub const MAX_REMUX_BYTES: usize = 32 << 20;
/// Most milliseconds of sound in one cluster (a block's time is 16 bits relative to it).
const CLUSTER_MS: u64 = 5_000;

/// The packets of an Ogg file with one logical stream, in order (a packet continued over
/// pages joined); `None` for anything else (several streams, broken framing, a packet left
/// unfinished).
fn packets(ogg: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    let mut serial = None;
    let mut packet: Vec<u8> = Vec::new();
    let mut at = 0usize;
    while at < ogg.len() {
        let header = ogg.get(at..at + 27)?;
        if &header[..4] != b"OggS" || header[4] != 0 {
            return None;
        }
        let this = u32::from_le_bytes(header[14..18].try_into().ok()?);
        if *serial.get_or_insert(this) != this {
            return None;
        }
        let segments = usize::from(header[26]);
        let lacing = ogg.get(at + 27..at + 27 + segments)?;
        let mut body = at + 27 + segments;
        for &lace in lacing {
            let end = body + usize::from(lace);
            packet.extend_from_slice(ogg.get(body..end)?);
            if lace < 255 {
                out.push(std::mem::take(&mut packet));
            }
            body = end;
        }
        at = body;
    }
    packet.is_empty().then_some(out)
}

/// How many 48 kHz samples an Opus packet holds (RFC 6716 §3.1), `None` for a malformed one.
fn samples(packet: &[u8]) -> Option<u64> {
    let toc = *packet.first()?;
    let config = toc >> 3;
    let frame: u64 = match config {
        0..=11 => [480, 960, 1920, 2880][usize::from(config % 4)],
        12..=15 => [480, 960][usize::from(config % 2)],
        _ => [120, 240, 480, 960][usize::from(config % 4)],
    };
    let frames = match toc & 3 {
        0 => 1,
        1 | 2 => 2,
        _ => u64::from(*packet.get(1)? & 0x3F),
    };
    let total = frame * frames;
    // At most 120 ms in one packet.
    (frames > 0 && total <= 5760).then_some(total)
}

/// An EBML element: id, size (8 bytes wide), body.
fn element(id: u32, body: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = id
        .to_be_bytes()
        .iter()
        .copied()
        .skip_while(|b| *b == 0)
        .collect();
    out.push(0x01);
    out.extend_from_slice(&(body.len() as u64).to_be_bytes()[1..]);
    out.extend_from_slice(body);
    out
}

fn uint(id: u32, value: u64) -> Vec<u8> {
    element(id, &value.to_be_bytes())
}

/// Whether an Ogg file's first page (`head`, its first bytes) opens an Opus stream: only then
/// is the file read whole for [`remux`].
pub(crate) fn opens_opus(head: &[u8]) -> bool {
    let body = 27 + usize::from(head.get(26).copied().unwrap_or(0));
    head.get(body..body + 8) == Some(b"OpusHead")
}

/// The WebM of an Ogg file of one Opus stream, or `None` when it is not one (then the Ogg is
/// kept as it is, tags emptied).
pub(crate) fn remux(ogg: &[u8]) -> Option<Vec<u8>> {
    if ogg.len() > MAX_REMUX_BYTES {
        return None;
    }
    let packets = packets(ogg)?;
    let (head, rest) = packets.split_first()?;
    if head.len() < 19 || &head[..8] != b"OpusHead" || rest.first()?.get(..8)? != b"OpusTags" {
        return None;
    }
    let channels = u64::from(head[9]);
    let pre_skip = u64::from(u16::from_le_bytes([head[10], head[11]]));
    let audio = &rest[1..];
    let mut blocks = Vec::with_capacity(audio.len());
    let mut at = 0u64; // samples before each packet
    for packet in audio {
        blocks.push((at, packet.as_slice()));
        at += samples(packet)?;
    }
    let duration_ms = at.saturating_sub(pre_skip) as f64 / 48.0;

    let mut info = uint(0x2A_D7B1, 1_000_000);
    info.extend(element(0x4D80, b"")); // MuxingApp, WritingApp: required, nothing said
    info.extend(element(0x5741, b""));
    info.extend(element(0x4489, &duration_ms.to_be_bytes()));
    let mut audio_settings = element(0xB5, &48_000f64.to_be_bytes());
    audio_settings.extend(uint(0x9F, channels));
    let mut track = uint(0xD7, 1);
    track.extend(uint(0x73C5, 1));
    track.extend(uint(0x83, 2));
    track.extend(element(0x86, b"A_OPUS"));
    track.extend(element(0x63A2, head));
    track.extend(uint(0x56AA, pre_skip * 1_000_000_000 / 48_000));
    track.extend(uint(0x56BB, 80_000_000));
    track.extend(element(0xE1, &audio_settings));
    let mut segment = element(0x1549_A966, &info);
    segment.extend(element(0x1654_AE6B, &element(0xAE, &track)));
    let mut cluster: Vec<u8> = Vec::new();
    let mut cluster_ms = 0u64;
    for (first, (at, packet)) in blocks.iter().enumerate().map(|(i, b)| (i == 0, b)) {
        let ms = at / 48;
        if first || ms - cluster_ms >= CLUSTER_MS {
            if !first {
                segment.extend(element(0x1F43_B675, &cluster));
            }
            cluster_ms = ms;
            cluster = uint(0xE7, ms);
        }
        let mut block = vec![0x81];
        block.extend_from_slice(&((ms - cluster_ms) as i16).to_be_bytes());
        block.push(0x80);
        block.extend_from_slice(packet);
        cluster.extend(element(0xA3, &block));
    }
    if !cluster.is_empty() {
        segment.extend(element(0x1F43_B675, &cluster));
    }
    let mut ebml = uint(0x4286, 1);
    ebml.extend(uint(0x42F7, 1));
    ebml.extend(uint(0x42F2, 4));
    ebml.extend(uint(0x42F3, 8));
    ebml.extend(element(0x4282, b"webm"));
    ebml.extend(uint(0x4287, 4));
    ebml.extend(uint(0x4285, 2));
    let mut out = element(0x1A45_DFA3, &ebml);
    out.extend(element(0x1853_8067, &segment));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_voice_note_becomes_a_webm_of_the_same_packets_with_its_length() {
        // GStreamer's opusenc and oggmux, 3.2 s (assets/field/10-tagged-sound/README.md).
        let ogg = include_bytes!("../../../assets/field/10-tagged-sound/voice-note.opus");
        let webm = remux(ogg).expect("one Opus stream");
        let audio = packets(ogg).unwrap();
        for packet in &audio[2..] {
            assert!(webm.windows(packet.len()).any(|w| w == packet.as_slice()));
        }
        let duration = crate::webm::duration_of(&mut std::io::Cursor::new(&webm)).unwrap();
        assert!((duration - 3200.0).abs() < 30.0, "{duration} ms");
        assert!(!webm.windows(6).any(|w| w == b"ARTIST" || w == b"TITLE="));
        // Another device keeps it as it is: nothing in it to blank.
        crate::received::check(std::io::Cursor::new(&webm), webm.len() as u64).unwrap();
        assert_eq!(
            crate::matroska::kind_by_tracks(&mut std::io::Cursor::new(&webm), webm.len() as u64),
            Some(crate::sniff::MediaKind::Audio)
        );
    }

    #[test]
    fn packet_lengths_follow_the_toc() {
        assert_eq!(samples(&[0xFC, 0, 0]), Some(960)); // CELT FB 20 ms, one frame
        assert_eq!(samples(&[0xFD, 0]), Some(1920)); // two frames
        assert_eq!(samples(&[0x1B, 0x03]), None); // 3 × 60 ms: over 120 ms
        assert_eq!(samples(&[0x4B, 0x02]), Some(1920)); // config 9: 20 ms, 2 frames by code 3
        assert_eq!(samples(&[]), None);
        assert_eq!(samples(&[0x03]), None); // code 3 without its count
    }
}
