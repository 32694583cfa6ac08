#!/usr/bin/python3
"""Tagged sound and WebM as programs write them: GStreamer 1.22 (Debian 12), its own muxers.
The tags name a child and a place, as a phone's recorder or an editing program writes them."""
import gi
gi.require_version("Gst", "1.0")
from gi.repository import Gst

Gst.init(None)
TAGS = ('taginject tags="title=(string)\\"Aino Virtanen 5B\\",artist=(string)\\"Aino Virtanen\\",'
        'comment=(string)\\"Kallio 60.1699 24.9384\\",geo-location-latitude=60.1699,'
        'geo-location-longitude=24.9384,geo-location-name=Kallio"')
SRC = "audiotestsrc num-buffers=150 wave=sine freq=440 ! audioconvert ! " + TAGS
FILES = {
    "voice-note.opus": "opusenc ! oggmux",  # as WhatsApp and Telegram voice notes
    "tagged.mp3": "lamemp3enc ! id3mux write-v1=true write-v2=true",
    "tagged.wav": "wavenc",
    "tagged.webm": "opusenc ! webmmux",
}
for name, tail in FILES.items():
    pipeline = Gst.parse_launch(f"{SRC} ! {tail} ! filesink location={name}")
    pipeline.set_state(Gst.State.PLAYING)
    message = pipeline.get_bus().timed_pop_filtered(
        10 * Gst.SECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR)
    assert message and message.type == Gst.MessageType.EOS, (name, message)
    pipeline.set_state(Gst.State.NULL)
