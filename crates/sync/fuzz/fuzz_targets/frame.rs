//! A frame body as any peer may send it: decoding never panics, and whatever decodes encodes
//! back to a frame that decodes to the same message.
#![no_main]

use hugme_sync::Message;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Ok(message) = Message::decode(body) {
        let again = Message::decode(&message.encode()).expect("an encoded message decodes");
        assert_eq!(format!("{again:?}"), format!("{message:?}"));
    }
});
