//! Read-aloud: a text spoken in one of the app's five languages by the system's own offline
//! speech engine, for pupils who cannot read yet. Nothing leaves the device.
//!
//! The engine is espeak-ng (<https://github.com/espeak-ng/espeak-ng>), from the
//! distribution: it speaks Finnish, Swedish, English, Estonian and Norwegian Bokmål, runs
//! offline, and is a package every Debian and Ubuntu has. It is run as its own program
//! (`espeak-ng --stdout`), the text given on its standard input (never as an argument, so no
//! text is read as an option) and read as plain text (no SSML: a pupil's `<` is a `<`). The
//! app plays the WAV it writes. The UI uses the WebView's own voices first where it has them
//! (WebView2, Android, iPadOS); WebKitGTK on Linux has none, so it asks here.
//!
//! # Layout
//! One module: [`speak`], its bounds ([`MAX_CHARS`], [`MAX_WAV_BYTES`]) and [`Error`].

use std::io::{Read, Write};
use std::process::{Command, Stdio};

/// The longest text read aloud at once, in characters (a page of a pupil's text, about
/// four minutes of speech): checked before the engine starts.
pub const MAX_CHARS: usize = 4000;
/// The most WAV bytes taken from the engine (16-bit mono at 22 050 Hz: about 6 minutes).
pub const MAX_WAV_BYTES: u64 = 16 << 20;
/// The engine's program, looked up on `PATH`.
const ENGINE: &str = "espeak-ng";

/// Why a text could not be spoken.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no speech engine on this device (install espeak-ng): {0}")]
    NoEngine(#[source] std::io::Error),
    #[error("{0} characters are more than may be read aloud at once ({MAX_CHARS})")]
    TooLong(usize),
    #[error("no voice for the language {0:?}")]
    NoVoice(String),
    #[error("the speech engine failed: {0}")]
    Failed(String),
}

/// The engine's voice for a UI language (BCP 47: `fi`, `sv-FI`, `nb`…): espeak-ng names its
/// voices for the five as the app names its languages.
fn voice(language: &str) -> Option<&'static str> {
    hugme_model::class::language_of(language)
}

/// `text` spoken in `language` (one of the app's five), as a WAV file's bytes (RIFF, 16-bit
/// PCM mono; espeak-ng's own rate, 22 050 Hz).
///
/// # Errors
/// [`Error::TooLong`] past [`MAX_CHARS`] (before anything runs); [`Error::NoVoice`] for
/// another language; [`Error::NoEngine`] when espeak-ng is not installed;
/// [`Error::Failed`] when it exits with an error, writes no WAV, or more than
/// [`MAX_WAV_BYTES`].
pub fn speak(text: &str, language: &str) -> Result<Vec<u8>, Error> {
    let chars = text.chars().count();
    if chars > MAX_CHARS {
        return Err(Error::TooLong(chars));
    }
    let voice = voice(language).ok_or_else(|| Error::NoVoice(language.to_owned()))?;
    let mut engine = Command::new(ENGINE)
        // -b 1: the input is UTF-8; --stdout: the WAV goes to standard output.
        .args(["-v", voice, "-b", "1", "--stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(Error::NoEngine)?;
    let mut stdin = engine.stdin.take().ok_or_else(|| failed("no input"))?;
    // Written from a thread of its own: the engine may fill its output before reading all.
    let text = text.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let mut wav = Vec::new();
    let mut stdout = engine.stdout.take().ok_or_else(|| failed("no output"))?;
    let read = (&mut stdout).take(MAX_WAV_BYTES + 1).read_to_end(&mut wav);
    if read.is_err() || wav.len() as u64 > MAX_WAV_BYTES {
        let _ = engine.kill();
        let _ = engine.wait();
        return Err(failed("its output was unreadable or too long"));
    }
    drop(stdout);
    let _ = writer.join();
    let output = engine
        .wait_with_output()
        .map_err(|e| failed(&e.to_string()))?;
    if !output.status.success() {
        return Err(failed(String::from_utf8_lossy(&output.stderr).trim()));
    }
    if !wav.starts_with(b"RIFF") || wav.len() <= 44 {
        return Err(failed("it wrote no sound"));
    }
    Ok(wav)
}

fn failed(why: &str) -> Error {
    Error::Failed(why.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The number of samples in a 16-bit mono WAV (its data after the 44-byte header).
    fn samples(wav: &[u8]) -> usize {
        (wav.len() - 44) / 2
    }

    #[test]
    fn each_language_is_spoken_and_a_longer_text_takes_longer() {
        for language in ["fi", "sv", "en", "et", "nb", "sv-FI", "no"] {
            let short = speak("Hei", language).unwrap();
            let long = speak("Hei! Mikä on lempieläimesi metsässä talvella?", language).unwrap();
            assert_eq!(&short[..4], b"RIFF", "{language}");
            assert!(samples(&long) > 2 * samples(&short), "{language}");
        }
    }

    #[test]
    fn a_text_is_spoken_as_it_is_written_never_read_as_options_or_markup() {
        // Read as words (more sound than one short word), not as an option or a tag.
        for text in ["--help", "-v xx", "<speak>5 < 6</speak>", "\u{0}\u{7}"] {
            let wav = speak(text, "en").unwrap();
            assert_eq!(&wav[..4], b"RIFF", "{text:?}");
        }
    }

    #[test]
    fn too_long_or_another_language_is_refused_before_the_engine_runs() {
        let long = "a".repeat(MAX_CHARS + 1);
        assert!(matches!(speak(&long, "fi"), Err(Error::TooLong(n)) if n == MAX_CHARS + 1));
        assert!(matches!(speak("Hallo", "de"), Err(Error::NoVoice(l)) if l == "de"));
    }
}
