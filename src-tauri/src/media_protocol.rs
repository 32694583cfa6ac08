//! `media://localhost/<hash>`: the WebView reads photos, drawings, sound and video straight
//! from the store's blob files, by hash, without passing the bytes through the IPC.
//!
//! The type is sniffed from the file's first bytes (never taken from the request), and a
//! `Range` request gets a 206 with only that part, which audio and video elements rely on.

use std::io::{Read, Seek, SeekFrom};
use std::sync::Arc;

use hugme_app::media::MediaFile;
use hugme_app::App;
use tauri::http::{header, Request, Response, StatusCode};

/// Answers one request.
pub fn respond(app: &Arc<App>, request: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    match serve(app, request) {
        Ok(response) => response,
        Err((status, why)) => Response::builder()
            .status(status)
            .header(header::CONTENT_TYPE, "text/plain")
            .body(why.into_bytes())
            .unwrap_or_default(),
    }
}

type Failure = (StatusCode, String);

fn serve(app: &Arc<App>, request: &Request<Vec<u8>>) -> Result<Response<Vec<u8>>, Failure> {
    let hash = request.uri().path().trim_start_matches('/');
    let MediaFile {
        mut file,
        len,
        mime,
    } = app
        .open_media(hash)
        .map_err(|e| (StatusCode::BAD_REQUEST, e.to_string()))?
        .ok_or_else(|| (StatusCode::NOT_FOUND, format!("{hash}: not here")))?;
    let range = request
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_range(v, len));
    let (status, start, end) = match range {
        Some((start, end)) => (StatusCode::PARTIAL_CONTENT, start, end),
        None => (StatusCode::OK, 0, len.saturating_sub(1)),
    };
    let mut body = vec![
        0;
        if len == 0 {
            0
        } else {
            (end - start + 1) as usize
        }
    ];
    file.seek(SeekFrom::Start(start)).map_err(internal)?;
    file.read_exact(&mut body).map_err(internal)?;
    let mut response = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, mime)
        .header(header::ACCEPT_RANGES, "bytes")
        // A hash names its bytes forever.
        .header(header::CACHE_CONTROL, "max-age=31536000, immutable");
    if status == StatusCode::PARTIAL_CONTENT {
        response = response.header(header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}"));
    }
    response.body(body).map_err(internal)
}

fn internal(e: impl std::fmt::Display) -> Failure {
    (StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
}

/// The first range of a `bytes=` header, clamped to the file; at most 8 MiB at a time, so
/// a long video is read as it plays.
fn parse_range(value: &str, len: u64) -> Option<(u64, u64)> {
    const MOST: u64 = 8 << 20;
    let spec = value.strip_prefix("bytes=")?.split(',').next()?.trim();
    let (a, b) = spec.split_once('-')?;
    if len == 0 {
        return None;
    }
    let (start, end) = if a.is_empty() {
        let suffix: u64 = b.parse().ok()?;
        (len.saturating_sub(suffix), len - 1)
    } else {
        let start: u64 = a.parse().ok()?;
        let end = if b.is_empty() {
            len - 1
        } else {
            b.parse().ok()?
        };
        (start, end.min(len - 1))
    };
    (start <= end).then(|| (start, end.min(start + MOST - 1)))
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges_are_clamped_to_the_file() {
        assert_eq!(parse_range("bytes=0-", 10), Some((0, 9)));
        assert_eq!(parse_range("bytes=2-4", 10), Some((2, 4)));
        assert_eq!(parse_range("bytes=5-99", 10), Some((5, 9)));
        assert_eq!(parse_range("bytes=-3", 10), Some((7, 9)));
        assert_eq!(parse_range("bytes=12-", 10), None);
        assert_eq!(parse_range("lines=1-2", 10), None);
        assert_eq!(parse_range("bytes=0-", 100 << 20), Some((0, (8 << 20) - 1)));
    }
}
