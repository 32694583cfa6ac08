//! Media in a session: asking the peer for the blobs this side lacks (each once), a window
//! at a time, taking the chunks as they come (in order, no more than asked for), and handing
//! each whole blob to the replica to check against its hash. A session may begin without
//! media and take it up later (`resume_media`).

use std::collections::HashSet;

use super::{send, Effect, Incoming, Session, ACTIVE_BLOBS, MAX_BLOB, WINDOW};
use crate::error::Result;
use crate::frame::Message;
use crate::replica::{references, Received, Replica};

/// Blobs a peer may offer that nothing refers to yet, kept per session (a longer list is
/// junk, and is forgotten).
pub(super) const MAX_OFFERED: usize = 20_000;

impl Session {
    /// Media asked for in this session: (bytes arrived, bytes in all); nothing while media is
    /// off (what is waiting is not on its way).
    pub fn media_progress(&self) -> (u64, u64) {
        if !self.fetch_media {
            return (0, 0);
        }
        (self.media_done, self.media_total)
    }

    /// Media is still on its way.
    pub fn is_fetching_media(&self) -> bool {
        self.fetch_media && (!self.incoming.is_empty() || !self.wanted.is_empty())
    }

    /// Whether this session fetches the peer's media now.
    pub fn fetches_media(&self) -> bool {
        self.fetch_media
    }

    /// Media may be fetched again (a pause ended, room was freed): a live session that began
    /// without media asks for what the peer offered meanwhile, without a new session.
    pub fn resume_media(&mut self, replica: &mut dyn Replica) -> Vec<Effect> {
        let mut out = Vec::new();
        if self.fetch_media || self.closed || !self.greeted {
            return out;
        }
        self.fetch_media = true;
        let asked = self
            .want_referenced(None, replica)
            .and_then(|_| self.fetch_more(replica, &mut out));
        if let Err(e) = asked {
            out.extend(self.fail(e));
            return out;
        }
        self.maybe_say_done(replica, &mut out);
        out
    }

    /// Takes the blobs a peer holds (its Have): those this side lacks are wanted at once, or,
    /// where the replica takes only blobs its documents refer to, once a document does.
    /// Offers are taken while media is off too (fetched once it is on again). A hash offered
    /// again, already wanted or on its way is passed by: each blob is wanted once, so the
    /// media budget is taken for it once.
    pub(super) fn offered_blobs(
        &mut self,
        blobs: Vec<(String, u64)>,
        replica: &mut dyn Replica,
    ) -> Result<()> {
        let held: HashSet<String> = replica.blobs()?.into_iter().map(|(h, _)| h).collect();
        let only_referenced = replica.only_referenced_blobs();
        let mut newly_offered = false;
        for (hash, size) in blobs {
            let plausible =
                hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) && size <= MAX_BLOB;
            if !plausible
                || held.contains(&hash)
                || self.incoming.contains_key(&hash)
                || self.wanted_hashes.contains(&hash)
            {
                continue;
            }
            if !only_referenced {
                if !replica.refused_blob(&hash)? {
                    self.want(hash, size);
                }
            } else if self.offered.len() < MAX_OFFERED && !self.offered.contains_key(&hash) {
                self.offered.insert(hash, size);
                newly_offered = true;
            }
        }
        // Only news is looked up: a peer repeating its offers costs no walk of the documents.
        if newly_offered {
            self.want_referenced(None, replica)?;
        }
        Ok(())
    }

    /// Adds a blob to those to fetch, once (at most [`MAX_OFFERED`] waiting).
    fn want(&mut self, hash: String, size: u64) {
        if self.wanted_hashes.len() >= MAX_OFFERED || !self.wanted_hashes.insert(hash.clone()) {
            return;
        }
        self.media_total += size;
        self.wanted.push_back((hash, size));
    }

    /// Moves the offered blobs that `document` (or, with none, any document held) refers to
    /// into the wanted ones; whether any moved. What all documents refer to is read once and
    /// kept until a document changes (`referenced`).
    pub(super) fn want_referenced(
        &mut self,
        document: Option<&str>,
        replica: &mut dyn Replica,
    ) -> Result<bool> {
        if document.is_some() {
            // That document changed: what all of them refer to is read again when asked.
            self.referenced = None;
        }
        if self.offered.is_empty() {
            return Ok(false);
        }
        // The offered blobs referred to: by the changed document, or by any (read once).
        let hits: Vec<String> = match document {
            Some(id) => match replica.document(id)? {
                Some(doc) => references(doc)
                    .into_iter()
                    .filter(|hash| self.offered.contains_key(hash))
                    .collect(),
                None => Vec::new(),
            },
            None => {
                let all = match self.referenced.take() {
                    Some(all) => all,
                    None => {
                        let mut all = HashSet::new();
                        for info in replica.documents()? {
                            if let Some(doc) = replica.document(&info.id)? {
                                all.extend(references(doc));
                            }
                        }
                        all
                    }
                };
                let hits = self
                    .offered
                    .keys()
                    .filter(|hash| all.contains(*hash))
                    .cloned()
                    .collect();
                self.referenced = Some(all);
                hits
            }
        };
        let mut moved = false;
        for hash in hits {
            if let Some(size) = self.offered.remove(&hash) {
                if replica.refused_blob(&hash)? {
                    continue;
                }
                self.want(hash, size);
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
            self.wanted_hashes.remove(&hash);
            // Already here (another session brought it meanwhile) or on its way: not twice.
            if self.incoming.contains_key(&hash) || replica.blob_size(&hash)?.is_some() {
                self.media_total = self.media_total.saturating_sub(total);
                continue;
            }
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
        // Another session of this device may have finished the same blob meanwhile (both
        // fetched it at once): then this one's reservation was never needed.
        let held_before = replica.blob_size(hash)?.is_some();
        let result = replica.finish_partial_blob(hash)?;
        let reserved = self.reserved.remove(hash);
        if let (true, Some(budget), Some(bytes)) = (
            result != Received::Stored || held_before,
            &self.budget,
            reserved,
        ) {
            // Deleted, not kept, or kept once already: its bytes go back to the budget.
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
