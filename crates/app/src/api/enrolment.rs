//! What the teacher's screen shows to let a tablet in.

use serde::Serialize;

/// What the teacher's screen shows to let a tablet in.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct EnrolmentView {
    /// The device's name in the class list ("Kettu tablet").
    pub device_name: String,
    /// "12 345 678": typed on the tablet.
    pub code: String,
    pub code_expires_at: i64,
    /// The QR code of the whole invitation, as SVG.
    pub qr_svg: String,
    /// Where the tablet will look for this device (host:port); empty when it is offline.
    pub addresses: Vec<String>,
}
