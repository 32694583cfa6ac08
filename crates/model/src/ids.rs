//! Typed identifiers. Each is a random v4 UUID kept as its string form, so documents stay
//! readable in `hugme inspect` and ids from different kinds can never be mixed up in code.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Reconcile, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub String);

        // By hand: the derived newtype `Hydrate` has no `hydrate_string`, which `Option<Id>`
        // needs to read a string scalar.
        impl Hydrate for $name {
            fn hydrate_string(s: &str) -> Result<Self, autosurgeon::HydrateError> {
                Ok(Self(s.to_owned()))
            }
        }

        impl $name {
            /// A new random id.
            pub fn random() -> Self {
                Self(uuid::Uuid::new_v4().to_string())
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }
    };
}

id_type!(
    /// A class (one teacher's group of pupils, e.g. "5B").
    ClassId
);
id_type!(
    /// A group of about four pupils who share a tablet and a project.
    GroupId
);
id_type!(
    /// A pupil in a group.
    MemberId
);
id_type!(
    /// An enrolled tablet, laptop or hub.
    DeviceId
);
id_type!(
    /// A group's project; also the id of its review document.
    ProjectId
);
id_type!(
    /// A research question in a project.
    QuestionId
);
id_type!(
    /// A content page in a project.
    PageId
);
id_type!(
    /// A block (text, photo, drawing, audio, video) on a content page.
    BlockId
);
