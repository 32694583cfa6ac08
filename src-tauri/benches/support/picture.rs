//! A generated photo for the benches: no two alike, so every one is stored and synced.

/// A 1600x1200 picture with its own colours.
pub fn picture(seed: usize) -> Vec<u8> {
    let (w, h) = (1600u32, 1200u32);
    let mut pixels = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            pixels.push(((x + seed as u32 * 37) % 256) as u8);
            pixels.push(((y + seed as u32 * 91) % 256) as u8);
            pixels.push(((x / 7 + y / 5 + seed as u32 * 13) % 256) as u8);
        }
    }
    // The pattern repeats every 256 seeds; the seed itself in the first pixels makes every
    // picture (and its hash) its own.
    for (i, byte) in (seed as u64).to_le_bytes().iter().enumerate() {
        pixels[i] = *byte;
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().expect("png header");
    writer.write_image_data(&pixels).expect("png data");
    writer.finish().expect("png end");
    out
}
