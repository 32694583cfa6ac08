//! Media in a session: asking the peer for the blobs this side lacks, a window at a time,
//! taking the chunks as they come (in order, no more than asked for), and handing each whole
//! blob to the replica to check against its hash.

use super::{send, Effect, Incoming, Session, ACTIVE_BLOBS, WINDOW};
use crate::error::Result;
use crate::frame::Message;
use crate::replica::Replica;

impl Session {
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
        if replica.finish_partial_blob(hash)? {
            self.stats.blobs_received += 1;
            out.push(Effect::BlobStored(hash.to_owned()));
        } else {
            self.stats.refused += 1;
            out.push(Effect::Refused {
                what: format!("blob {hash}"),
                why: "its bytes do not match its hash; it was dropped".into(),
            });
        }
        Ok(())
    }
}
