//! Media in a session: asking the peer for the blobs this side lacks, a window at a time,
//! taking the chunks as they come (in order, no more than asked for), and handing each whole
//! blob to the replica to check against its hash.

use std::collections::HashSet;

use super::{send, Effect, Incoming, Session, ACTIVE_BLOBS, MAX_BLOB, WINDOW};
use crate::error::Result;
use crate::frame::Message;
use crate::replica::{references, Received, Replica};

/// Blobs a peer may offer that nothing refers to yet, kept per session (a longer list is
/// junk, and is forgotten).
pub(super) const MAX_OFFERED: usize = 20_000;

impl Session {
    /// Takes the blobs a peer holds (its Have): those this side lacks are wanted at once, or,
    /// where the replica takes only blobs its documents refer to, once a document does.
    pub(super) fn offered_blobs(
        &mut self,
        blobs: Vec<(String, u64)>,
        replica: &mut dyn Replica,
    ) -> Result<()> {
        let held: HashSet<String> = replica.blobs()?.into_iter().map(|(h, _)| h).collect();
        let only_referenced = replica.only_referenced_blobs();
        for (hash, size) in blobs {
            let plausible =
                hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) && size <= MAX_BLOB;
            if !plausible || held.contains(&hash) || self.incoming.contains_key(&hash) {
                continue;
            }
            if !only_referenced && replica.refused_blob(&hash)? {
                continue;
            }
            if !only_referenced {
                self.media_total += size;
                self.wanted.push_back((hash, size));
            } else if self.offered.len() < MAX_OFFERED {
                self.offered.insert(hash, size);
            }
        }
        self.want_referenced(None, replica)?;
        Ok(())
    }

    /// Moves the offered blobs that `document` (or, with none, any document held) refers to
    /// into the wanted ones; whether any moved.
    pub(super) fn want_referenced(
        &mut self,
        document: Option<&str>,
        replica: &mut dyn Replica,
    ) -> Result<bool> {
        if self.offered.is_empty() {
            return Ok(false);
        }
        let ids: Vec<String> = match document {
            Some(id) => vec![id.to_owned()],
            None => replica.documents()?.into_iter().map(|d| d.id).collect(),
        };
        let mut referenced = HashSet::new();
        for id in ids {
            if let Some(doc) = replica.document(&id)? {
                referenced.extend(references(doc));
            }
        }
        let mut moved = false;
        for hash in referenced {
            if let Some(size) = self.offered.remove(&hash) {
                if replica.refused_blob(&hash)? {
                    continue;
                }
                self.media_total += size;
                self.wanted.push_back((hash, size));
                moved = true;
            }
        }
        Ok(moved)
    }

    pub(super) fn fetch_more(
        &mut self,
        replica: &mut dyn Replica,
        out: &mut Vec<Effect>,
    ) -> Result<()> {
        while self.incoming.len() < ACTIVE_BLOBS {
            let Some((hash, total)) = self.wanted.pop_front() else {
                break;
            };
            // Resume: what an earlier, cut-off session received is kept.
            let mut offset = replica.partial_blob_len(&hash)?;
            if offset > total {
                offset = 0;
            }
            if let Some(budget) = &self.budget {
                if !budget.take(total - offset) {
                    // Over the quota: this blob waits (text keeps syncing).
                    self.media_total = self.media_total.saturating_sub(total);
                    self.stats.over_quota += 1;
                    continue;
                }
                self.reserved.insert(hash.clone(), total - offset);
            }
            self.media_done += offset;
            if offset == total {
                self.finish_blob(&hash, replica, out)?;
                continue;
            }
            send(
                out,
                Message::Want {
                    hash: hash.clone(),
                    offset,
                    len: WINDOW,
                },
            );
            self.incoming.insert(
                hash,
                Incoming {
                    total,
                    next: offset,
                    window_end: offset + WINDOW,
                },
            );
        }
        Ok(())
    }

    pub(super) fn chunk(
        &mut self,
        hash: String,
        offset: u64,
        total: u64,
        bytes: &[u8],
        replica: &mut dyn Replica,
        out: &mut Vec<Effect>,
    ) -> Result<()> {
        let Some(incoming) = self.incoming.get_mut(&hash) else {
            out.extend(self.close(format!("a chunk of blob {hash}, which was not asked for")));
            return Ok(());
        };
        let end = offset.saturating_add(bytes.len() as u64);
        if offset != incoming.next || total != incoming.total || end > total || bytes.is_empty() {
            out.extend(self.close(format!("a chunk of blob {hash} out of place")));
            return Ok(());
        }
        replica.append_partial_blob(&hash, offset, bytes)?;
        incoming.next = end;
        self.media_done += bytes.len() as u64;
        if end == total {
            self.incoming.remove(&hash);
            self.finish_blob(&hash, replica, out)?;
            self.fetch_more(replica, out)?;
        } else if end >= incoming.window_end {
            incoming.window_end = end + WINDOW;
            send(
                out,
                Message::Want {
                    hash,
                    offset: end,
                    len: WINDOW,
                },
            );
        }
        Ok(())
    }

    pub(super) fn finish_blob(
        &mut self,
        hash: &str,
        replica: &mut dyn Replica,
        out: &mut Vec<Effect>,
    ) -> Result<()> {
        let result = replica.finish_partial_blob(hash)?;
        let reserved = self.reserved.remove(hash);
        if let (false, Some(budget), Some(bytes)) =
            (result == Received::Stored, &self.budget, reserved)
        {
            // Deleted, not kept: its bytes go back to the budget.
            budget.give_back(bytes);
        }
        let why = match result {
            Received::Stored => {
                self.stats.blobs_received += 1;
                out.push(Effect::BlobStored(hash.to_owned()));
                return Ok(());
            }
            Received::Mismatch => "its bytes do not match its hash; it was dropped".into(),
            Received::Refused(why) => {
                format!("{why}; it was dropped and will not be asked for again")
            }
        };
        self.stats.refused += 1;
        out.push(Effect::Refused {
            what: format!("blob {hash}"),
            why,
        });
        Ok(())
    }
}
