//! Compressed and run-length-encoded parts of a received Automerge sync message, measured
//! before Automerge expands any of them: a few kilobytes of DEFLATE can stand for gigabytes,
//! and so can a few bytes of a column run ("the next value, four billion times"); Automerge
//! expands both whole, with no limit, as it parses a chunk (the `sync_message` fuzz target
//! found a 66-byte message that took it past 2 GB).
//!
//! A sync message's change list holds storage chunks (Automerge's binary format,
//! <https://automerge.org/automerge-binary-format-spec/>): magic (4 bytes), checksum (4), type
//! (1), LEB128 length, data. A change (type 1) is never compressed; a compressed change
//! (type 2) is DEFLATE of a change's data; a document (type 0) and a bundle (type 3) carry
//! column metadata (LEB128 count, then a LEB128 spec and length per column) whose spec bit 3
//! marks a DEFLATE column; a change (inflated, if compressed) has its op columns after its
//! header. Each compressed part is inflated here against [`MAX_RATIO`] × its compressed size
//! and [`MAX_INFLATED`] for the message, and every column's values are counted from its
//! encoding (run-length runs of the column's type, boolean runs) against [`MAX_VALUES`]; any
//! other chunk type is refused.

use std::io::Read;

/// The most a message's compressed parts may inflate to in all (bytes). A whole class or
/// project document of a term's work is a few megabytes.
pub const MAX_INFLATED: u64 = 32 << 20;
/// The most a compressed part may inflate to, relative to its compressed size. Automerge's
/// columns compress text and run-length data a few times to a few dozen times.
pub const MAX_RATIO: u64 = 256;
/// The most values a message's columns may hold in all, and the most a group column's counts
/// may add up to (ops of a document, say): a term of a group's typing is a few hundred
/// thousand.
pub const MAX_VALUES: u64 = 1 << 24;
/// The magic bytes that begin every Automerge storage chunk.
const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
/// The spec bit of a DEFLATE column.
const DEFLATE_BIT: u64 = 0b1000;

/// Why a message's compressed parts are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Bomb {
    #[error("a compressed part of {compressed} bytes inflates past {limit} bytes")]
    TooBig { compressed: usize, limit: u64 },
    #[error("a column holds over {limit} values")]
    TooManyValues { limit: u64 },
    #[error("chunk type {0} is not one a sync message carries")]
    UnexpectedChunk(u8),
    #[error("unreadable chunk: {0}")]
    Malformed(&'static str),
}

/// Checks every chunk of a sync message's change list; the bytes its compressed parts
/// inflate to in all (0 when nothing is compressed).
///
/// # Errors
/// [`Bomb`] when a part would inflate past its limits, a chunk's type is not a change,
/// compressed change, document or bundle, or a chunk cannot be read.
pub fn check<'a>(changes: impl IntoIterator<Item = &'a [u8]>) -> Result<u64, Bomb> {
    let mut budget = Budget {
        used: 0,
        most: MAX_INFLATED,
        values: 0,
    };
    for joined in changes {
        for chunk in storage_chunks(joined).map_err(Bomb::Malformed)? {
            check_chunk(chunk, &mut budget)?;
        }
    }
    Ok(budget.used)
}

/// Splits bytes into Automerge storage chunks (a message's entry may hold several back to
/// back, which Automerge loads incrementally).
pub(crate) fn storage_chunks(mut bytes: &[u8]) -> Result<Vec<&[u8]>, &'static str> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let (_, data, rest) = split_chunk(bytes)?;
        let end = bytes.len() - rest.len();
        debug_assert!(data.len() <= end);
        out.push(&bytes[..end]);
        bytes = rest;
    }
    Ok(out)
}

/// A chunk's type, its data, and the bytes after it.
fn split_chunk(bytes: &[u8]) -> Result<(u8, &[u8], &[u8]), &'static str> {
    if bytes.len() < 9 || bytes[..4] != MAGIC {
        return Err("not an Automerge chunk");
    }
    let kind = bytes[8];
    let mut reader = Reader(&bytes[9..]);
    let len = reader.uleb()?;
    let data = reader.take(len)?;
    Ok((kind, data, reader.0))
}

struct Budget {
    used: u64,
    most: u64,
    /// Column values counted so far in the message, against [`MAX_VALUES`].
    values: u64,
}

impl Budget {
    fn count(&mut self, n: u64) -> Result<(), Bomb> {
        self.values = self.values.saturating_add(n);
        if self.values > MAX_VALUES {
            return Err(Bomb::TooManyValues { limit: MAX_VALUES });
        }
        Ok(())
    }
}

fn check_chunk(chunk: &[u8], budget: &mut Budget) -> Result<(), Bomb> {
    let (kind, data, _) = split_chunk(chunk).map_err(Bomb::Malformed)?;
    match kind {
        1 => check_change(data, budget),
        2 => {
            let inflated = inflate(data, budget)?;
            check_change(&inflated, budget)
        }
        0 => {
            let mut r = Reader(data);
            skip_actors(&mut r)?;
            skip_hashes(&mut r)?;
            let changes = columns(&mut r)?;
            let ops = columns(&mut r)?;
            check_columns(&mut r, &changes, budget)?;
            check_columns(&mut r, &ops, budget)
        }
        3 => {
            let mut r = Reader(data);
            skip_hashes(&mut r)?;
            skip_actors(&mut r)?;
            let changes = columns(&mut r)?;
            check_columns(&mut r, &changes, budget)?;
            let ops = columns(&mut r)?;
            check_columns(&mut r, &ops, budget)
        }
        other => Err(Bomb::UnexpectedChunk(other)),
    }
}

/// A change's data: dependencies, actor, sequence number, start op, time, message, other
/// actors, then its op columns.
fn check_change(data: &[u8], budget: &mut Budget) -> Result<(), Bomb> {
    let mut r = Reader(data);
    skip_hashes(&mut r)?;
    let malformed = Bomb::Malformed;
    let actor = r.uleb().map_err(malformed)?;
    r.take(actor).map_err(malformed)?;
    r.uleb().map_err(malformed)?; // seq
    r.uleb().map_err(malformed)?; // start op
    r.uleb().map_err(malformed)?; // time (signed; only skipped)
    let message = r.uleb().map_err(malformed)?;
    r.take(message).map_err(malformed)?;
    skip_actors(&mut r)?;
    let ops = columns(&mut r)?;
    check_columns(&mut r, &ops, budget)
}

fn skip_actors(r: &mut Reader<'_>) -> Result<(), Bomb> {
    let count = r.uleb().map_err(Bomb::Malformed)?;
    for _ in 0..count {
        let len = r.uleb().map_err(Bomb::Malformed)?;
        r.take(len).map_err(Bomb::Malformed)?;
    }
    Ok(())
}

fn skip_hashes(r: &mut Reader<'_>) -> Result<(), Bomb> {
    let count = r.uleb().map_err(Bomb::Malformed)?;
    let bytes = count
        .checked_mul(32)
        .ok_or(Bomb::Malformed("too many hashes"))?;
    r.take(bytes).map_err(Bomb::Malformed)?;
    Ok(())
}

/// A column list: (spec, length) of each column.
fn columns(r: &mut Reader<'_>) -> Result<Vec<(u64, u64)>, Bomb> {
    let count = r.uleb().map_err(Bomb::Malformed)?;
    // Each column takes at least two bytes of metadata: a count past the data is a lie,
    // refused before anything is reserved for it.
    if count > r.0.len() as u64 / 2 {
        return Err(Bomb::Malformed("more columns than bytes"));
    }
    (0..count)
        .map(|_| Ok((r.uleb()?, r.uleb()?)))
        .collect::<Result<_, &'static str>>()
        .map_err(Bomb::Malformed)
}

fn check_columns(
    r: &mut Reader<'_>,
    columns: &[(u64, u64)],
    budget: &mut Budget,
) -> Result<(), Bomb> {
    for &(spec, len) in columns {
        let data = r.take(len).map_err(Bomb::Malformed)?;
        if spec & DEFLATE_BIT != 0 {
            let inflated = inflate(data, budget)?;
            count_values(spec, &inflated, budget)?;
        } else {
            count_values(spec, data, budget)?;
        }
    }
    Ok(())
}

/// Counts a column's values, by its type (spec bits 0–2), against the message's budget: raw
/// values are counted by their metadata column instead; booleans are alternating run
/// lengths; every other type is runs of a signed count (n > 0: the next value n times; n < 0:
/// −n values follow; 0: a count of nulls). A group column's values are themselves counts (of
/// an op's predecessors, a change's dependencies) that Automerge reserves room for: their sum
/// is held to [`MAX_VALUES`] too. Automerge's encodings, as its binary format spec gives them.
fn count_values(spec: u64, data: &[u8], budget: &mut Budget) -> Result<(), Bomb> {
    const GROUP: u64 = 0;
    const BOOLEAN: u64 = 4;
    const STRING: u64 = 5;
    const DELTA: u64 = 3;
    const RAW: u64 = 7;
    let kind = spec & 0b111;
    let mut r = Reader(data);
    let malformed = Bomb::Malformed;
    let mut grouped = 0u64;
    let mut add_group = |value: u64, times: u64| {
        grouped = grouped.saturating_add(value.saturating_mul(times));
        if grouped > MAX_VALUES {
            Err(Bomb::TooManyValues { limit: MAX_VALUES })
        } else {
            Ok(())
        }
    };
    // The value a run holds: its number for a group column (0 for any other).
    let read_value = |r: &mut Reader<'_>| -> Result<u64, &'static str> {
        match kind {
            STRING => {
                let len = r.uleb()?;
                r.take(len).map(|_| 0)
            }
            DELTA => r.sleb().map(|_| 0),
            GROUP => r.uleb(),
            _ => r.uleb().map(|_| 0),
        }
    };
    match kind {
        RAW => {}
        BOOLEAN => {
            while !r.0.is_empty() {
                budget.count(r.uleb().map_err(malformed)?)?;
            }
        }
        _ => {
            while !r.0.is_empty() {
                let count = r.sleb().map_err(malformed)?;
                let n = count.unsigned_abs();
                match count {
                    0 => budget.count(r.uleb().map_err(malformed)?)?,
                    c if c > 0 => {
                        let value = read_value(&mut r).map_err(malformed)?;
                        budget.count(n)?;
                        add_group(value, n)?;
                    }
                    _ => {
                        // A literal run's values are all here: its length is bounded by the
                        // bytes it takes.
                        budget.count(n)?;
                        for _ in 0..n {
                            let value = read_value(&mut r).map_err(malformed)?;
                            add_group(value, 1)?;
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// The most "have" summaries a message may carry (Automerge sends one).
pub const MAX_HAVES: usize = 16;
/// The most hashes a message's heads, needs or one summary's last sync may list.
pub const MAX_HASHES: usize = 65_536;

/// Checks the parts of a sync message besides its changes that Automerge trusts: the hash
/// lists, and each "have" summary's Bloom filter, whose probe count and bits per entry
/// Automerge uses unchecked (a filter of 4 billion probes makes it reserve 16 GiB, one of 0
/// bits per entry makes it divide by zero).
///
/// # Errors
/// [`Bomb::Malformed`] for a list or filter outside these bounds.
pub fn check_summary(message: &automerge::sync::Message) -> Result<(), Bomb> {
    if message.heads.len() > MAX_HASHES
        || message.need.len() > MAX_HASHES
        || message.have.len() > MAX_HAVES
    {
        return Err(Bomb::Malformed("too many hashes or summaries"));
    }
    for have in &message.have {
        if have.last_sync.len() > MAX_HASHES {
            return Err(Bomb::Malformed("too many hashes"));
        }
        let bloom = have.bloom.to_bytes();
        if bloom.is_empty() {
            continue; // an empty filter: no entries
        }
        let mut r = Reader(&bloom);
        let malformed = Bomb::Malformed;
        let entries = r.uleb().map_err(malformed)?;
        let bits_per_entry = r.uleb().map_err(malformed)?;
        let probes = r.uleb().map_err(malformed)?;
        if entries > MAX_VALUES
            || !(1..=64).contains(&bits_per_entry)
            || !(1..=64).contains(&probes)
            || r.0.is_empty()
        {
            return Err(Bomb::Malformed("a Bloom filter out of bounds"));
        }
    }
    Ok(())
}

/// Inflates `compressed`, stopping past its limits: it is measured first into a counter, and
/// only then inflated into a buffer of exactly its size, so no more than what passed is ever
/// held.
fn inflate(compressed: &[u8], budget: &mut Budget) -> Result<Vec<u8>, Bomb> {
    let limit = (compressed.len() as u64)
        .saturating_mul(MAX_RATIO)
        .max(4096)
        .min(budget.most - budget.used);
    let bad = |_| Bomb::Malformed("bad DEFLATE data");
    let size = std::io::copy(
        &mut flate2::read::DeflateDecoder::new(compressed).take(limit + 1),
        &mut std::io::sink(),
    )
    .map_err(bad)?;
    if size > limit {
        return Err(Bomb::TooBig {
            compressed: compressed.len(),
            limit,
        });
    }
    budget.used += size;
    let mut inflated = Vec::with_capacity(size as usize);
    flate2::read::DeflateDecoder::new(compressed)
        .take(size)
        .read_to_end(&mut inflated)
        .map_err(bad)?;
    Ok(inflated)
}

/// Reads LEB128 numbers and byte runs off a slice.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn uleb(&mut self) -> Result<u64, &'static str> {
        let (mut value, mut shift) = (0u64, 0u32);
        loop {
            let (&byte, rest) = self.0.split_first().ok_or("a number is cut off")?;
            self.0 = rest;
            value |= u64::from(byte & 0x7F) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
            shift += 7;
            if shift > 63 {
                return Err("a number is too long");
            }
        }
    }

    /// A signed LEB128 number (a run's count).
    fn sleb(&mut self) -> Result<i64, &'static str> {
        let (mut value, mut shift) = (0i64, 0u32);
        loop {
            let (&byte, rest) = self.0.split_first().ok_or("a number is cut off")?;
            self.0 = rest;
            if shift > 63 {
                return Err("a number is too long");
            }
            value |= i64::from(byte & 0x7F) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                if shift < 64 && byte & 0x40 != 0 {
                    value |= -1i64 << shift;
                }
                return Ok(value);
            }
        }
    }

    fn take(&mut self, len: u64) -> Result<&'a [u8], &'static str> {
        let len = usize::try_from(len).map_err(|_| "a length is too long")?;
        if len > self.0.len() {
            return Err("cut off");
        }
        let (taken, rest) = self.0.split_at(len);
        self.0 = rest;
        Ok(taken)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ObjType, ReadDoc, ROOT};

    use super::*;

    fn uleb(mut n: u64, out: &mut Vec<u8>) {
        loop {
            let byte = (n & 0x7F) as u8;
            n >>= 7;
            if n == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }

    fn chunk(kind: u8, data: &[u8]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend([0; 4]); // the checksum is Automerge's to check, after us
        out.push(kind);
        uleb(data.len() as u64, &mut out);
        out.extend(data);
        out
    }

    /// DEFLATE of `n` zero bytes, made a megabyte at a time (the bomb is never whole here).
    fn zeros_deflated(n: usize) -> Vec<u8> {
        let mut encoder =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        let mib = vec![0u8; 1 << 20];
        for _ in 0..n / mib.len() {
            encoder.write_all(&mib).unwrap();
        }
        encoder.finish().unwrap()
    }

    #[test]
    fn a_compressed_change_that_inflates_far_past_the_limit_is_refused() {
        let bomb = chunk(2, &zeros_deflated(64 << 20));
        assert!(bomb.len() < 1 << 20, "{} bytes", bomb.len());
        let err = check([bomb.as_slice()]).unwrap_err();
        assert!(matches!(err, Bomb::TooBig { .. }), "{err}");
    }

    #[test]
    fn a_deflated_column_of_a_document_or_bundle_is_measured_too() {
        let bomb = zeros_deflated(64 << 20);
        let mut doc = Vec::new();
        uleb(0, &mut doc); // actors
        uleb(0, &mut doc); // heads
        uleb(1, &mut doc); // one change column, deflated
        uleb(0x10 | DEFLATE_BIT, &mut doc);
        uleb(bomb.len() as u64, &mut doc);
        uleb(0, &mut doc); // no op columns
        doc.extend(&bomb);
        let err = check([chunk(0, &doc).as_slice()]).unwrap_err();
        assert!(matches!(err, Bomb::TooBig { .. }), "{err}");

        let mut bundle = Vec::new();
        uleb(0, &mut bundle); // deps
        uleb(0, &mut bundle); // actors
        uleb(1, &mut bundle);
        uleb(0x20 | DEFLATE_BIT, &mut bundle);
        uleb(bomb.len() as u64, &mut bundle);
        bundle.extend(&bomb);
        uleb(0, &mut bundle);
        let err = check([chunk(3, &bundle).as_slice()]).unwrap_err();
        assert!(matches!(err, Bomb::TooBig { .. }), "{err}");
    }

    #[test]
    fn a_column_run_of_billions_is_refused_before_automerge_sees_it() {
        // The `sync_message` fuzz target's input: a document whose one op column, of delta
        // type, says "the next value, billions of times" in five bytes.
        let message = include_bytes!("../fuzz/regressions/sync_message-document-run-oom");
        let message = automerge::sync::Message::decode(message).unwrap();
        let err = check(message.changes.iter()).unwrap_err();
        assert_eq!(err, Bomb::TooManyValues { limit: MAX_VALUES });
        // The same run, compressed inside a change.
        let mut run = Vec::new();
        uleb(0, &mut run); // deps
        uleb(1, &mut run); // actor of one byte
        run.push(7);
        uleb(1, &mut run); // seq
        uleb(1, &mut run); // start op
        uleb(0, &mut run); // time
        uleb(0, &mut run); // message
        uleb(0, &mut run); // other actors
        uleb(1, &mut run); // one op column: an integer column
        uleb(0x12, &mut run);
        let column = [0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]; // count 2^32 - 1, value 1
        uleb(column.len() as u64, &mut run);
        run.extend(column);
        let mut deflated =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        deflated.write_all(&run).unwrap();
        let compressed = chunk(2, &deflated.finish().unwrap());
        assert_eq!(
            check([compressed.as_slice()]).unwrap_err(),
            Bomb::TooManyValues { limit: MAX_VALUES }
        );
        assert_eq!(
            check([chunk(1, &run).as_slice()]).unwrap_err(),
            Bomb::TooManyValues { limit: MAX_VALUES }
        );
    }

    #[test]
    fn a_group_column_whose_counts_add_up_to_terabytes_is_refused() {
        // One run of one value: a count of 2^40 predecessors.
        let mut column = Vec::new();
        column.push(0x01);
        uleb(1 << 40, &mut column);
        let mut budget = Budget {
            used: 0,
            most: MAX_INFLATED,
            values: 0,
        };
        assert_eq!(
            count_values(0x10, &column, &mut budget).unwrap_err(),
            Bomb::TooManyValues { limit: MAX_VALUES }
        );
        // The same counts in an integer column are one value.
        let mut budget = Budget {
            used: 0,
            most: MAX_INFLATED,
            values: 0,
        };
        count_values(0x12, &column, &mut budget).unwrap();
        assert_eq!(budget.values, 1);
    }

    #[test]
    fn many_chunks_share_one_value_budget() {
        // A change whose one integer column says "1, 2^23 times": half the budget.
        let mut change = Vec::new();
        for n in [0u64, 1, 7, 1, 1, 0, 0, 0, 1, 0x12] {
            uleb(n, &mut change);
        }
        let mut column = vec![];
        let mut run = 1i64 << 23;
        loop {
            let byte = (run & 0x7F) as u8;
            run >>= 7;
            if run == 0 && byte & 0x40 == 0 {
                column.push(byte);
                break;
            }
            column.push(byte | 0x80);
        }
        column.push(1);
        uleb(column.len() as u64, &mut change);
        change.extend(&column);
        let one = chunk(1, &change);
        check([one.as_slice()]).unwrap();
        let mut three = one.clone();
        three.extend(&one);
        three.extend(&one);
        assert_eq!(
            check([three.as_slice()]).unwrap_err(),
            Bomb::TooManyValues { limit: MAX_VALUES }
        );
    }

    #[test]
    fn a_bloom_filter_automerge_would_trust_blindly_is_refused() {
        let message = |bloom: &[u8]| {
            // Version, heads, needs, one summary (no last sync, this filter), no changes.
            let mut m = vec![0x42, 0, 0, 1, 0];
            uleb(bloom.len() as u64, &mut m);
            m.extend(bloom);
            m.push(0);
            automerge::sync::Message::decode(&m).unwrap()
        };
        // 1 entry, 8 bits, 4 billion probes; and 1 entry, 0 bits per entry.
        for bloom in [
            &[1u8, 8, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0][..],
            &[1, 0, 1][..],
        ] {
            assert!(matches!(
                check_summary(&message(bloom)),
                Err(Bomb::Malformed(_))
            ));
        }
        // What Automerge itself sends passes.
        let mut doc = typed_document();
        let mut state = automerge::sync::State::new();
        use automerge::sync::SyncDoc;
        let first = doc.sync().generate_sync_message(&mut state).unwrap();
        check_summary(&first).unwrap();
        let mut peer = AutoCommit::new();
        let mut peer_state = automerge::sync::State::new();
        peer.sync()
            .receive_sync_message(&mut peer_state, first)
            .unwrap();
        let answer = peer.sync().generate_sync_message(&mut peer_state).unwrap();
        check_summary(&answer).unwrap();
    }

    #[test]
    fn signed_counts_read_back() {
        for n in [0i64, 1, -1, 63, -64, 64, -65, 1 << 40, -(1 << 40)] {
            let mut bytes = Vec::new();
            let mut v = n;
            loop {
                let byte = (v & 0x7F) as u8;
                v >>= 7;
                let done = (v == 0 && byte & 0x40 == 0) || (v == -1 && byte & 0x40 != 0);
                bytes.push(if done { byte } else { byte | 0x80 });
                if done {
                    break;
                }
            }
            assert_eq!(Reader(&bytes).sleb().unwrap(), n);
        }
    }

    #[test]
    fn unexpected_or_cut_off_chunks_are_refused() {
        assert_eq!(
            check([chunk(7, b"x").as_slice()]).unwrap_err(),
            Bomb::UnexpectedChunk(7)
        );
        let whole = chunk(2, &zeros_deflated(1 << 20));
        assert!(matches!(
            check([&whole[..whole.len() - 3]]).unwrap_err(),
            Bomb::Malformed(_)
        ));
        let mut lying = Vec::new();
        uleb(0, &mut lying);
        uleb(0, &mut lying);
        uleb(u64::MAX >> 1, &mut lying); // a column count no chunk can hold
        assert!(matches!(
            check([chunk(0, &lying).as_slice()]).unwrap_err(),
            Bomb::Malformed(_)
        ));
    }

    /// A project's worth of keystrokes, as Automerge writes it.
    fn typed_document() -> AutoCommit {
        let mut doc = AutoCommit::new();
        let text = doc.put_object(ROOT, "notes", ObjType::Text).unwrap();
        for i in 0..3_000 {
            let at = doc.length(&text);
            doc.splice_text(&text, at, 0, if i % 7 == 0 { " " } else { "a" })
                .unwrap();
            doc.commit();
        }
        doc
    }

    #[test]
    fn what_automerge_itself_sends_passes() {
        let mut doc = typed_document();
        let saved = doc.save();
        let inflated = check([saved.as_slice()]).unwrap();
        assert!(
            inflated > 0,
            "a saved document of this size has deflated columns"
        );
        let changes: Vec<Vec<u8>> = doc
            .get_changes(&[])
            .iter()
            .map(|c| c.raw_bytes().to_vec())
            .collect();
        assert_eq!(check(changes.iter().map(Vec::as_slice)).unwrap(), 0);
        // And a real sync message's whole change list.
        let mut state = automerge::sync::State::new();
        let mut peer = AutoCommit::new();
        let mut peer_state = automerge::sync::State::new();
        use automerge::sync::SyncDoc;
        let mut checked = 0;
        for _ in 0..10 {
            if let Some(m) = peer.sync().generate_sync_message(&mut peer_state) {
                doc.sync().receive_sync_message(&mut state, m).unwrap();
            }
            match doc.sync().generate_sync_message(&mut state) {
                Some(m) => {
                    let m = automerge::sync::Message::decode(&m.encode()).unwrap();
                    check(m.changes.iter()).unwrap();
                    checked += m.changes.iter().count();
                    peer.sync()
                        .receive_sync_message(&mut peer_state, m)
                        .unwrap();
                }
                None => break,
            }
        }
        assert!(checked > 0);
        assert_eq!(peer.get_heads(), doc.get_heads());
    }
}
