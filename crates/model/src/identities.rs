//! The names of one group's pupils of protected identity.
//!
//! The class document travels to every tablet of the class, so a protected pupil's name is
//! never written there (its member entry has an empty name): it lives in this document, one
//! per group, which only teachers write and which only the group's own tablets, hubs and
//! teachers' devices receive (`hugme-sync`'s read policy). Its id is `identities-<group id>`.

use autosurgeon::{Hydrate, Reconcile, Text};

use crate::document::{Document, DocumentKind, SCHEMA_VERSION};
use crate::ids::{ClassId, GroupId, MemberId};

/// The protected pupils' names of one group.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Identities {
    pub schema: u64,
    pub class_id: ClassId,
    pub group_id: GroupId,
    pub names: Vec<ProtectedName>,
}

/// One protected pupil's name (first name or nickname, as in the class document).
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct ProtectedName {
    #[key]
    pub member_id: MemberId,
    pub name: Text,
}

/// The prefix of every identities document's id.
pub const ID_PREFIX: &str = "identities-";

impl Identities {
    /// An empty list for a group.
    pub fn new(class: &ClassId, group: &GroupId) -> Self {
        Self {
            schema: SCHEMA_VERSION,
            class_id: class.clone(),
            group_id: group.clone(),
            names: Vec::new(),
        }
    }

    /// The store id of a group's identities document.
    pub fn document_id(group: &GroupId) -> String {
        format!("{ID_PREFIX}{group}")
    }

    /// The group an identities document's id names (`None`: not such an id).
    pub fn group_of_id(id: &str) -> Option<GroupId> {
        id.strip_prefix(ID_PREFIX)
            .filter(|g| !g.is_empty())
            .map(GroupId::from)
    }

    /// A member's name here, if listed.
    pub fn name_of(&self, member: &MemberId) -> Option<&str> {
        self.names
            .iter()
            .find(|n| &n.member_id == member)
            .map(|n| n.name.as_str())
    }

    /// Sets a member's name (adding the member if not listed).
    pub fn set(&mut self, member: &MemberId, name: &str) {
        match self.names.iter_mut().find(|n| &n.member_id == member) {
            Some(n) => n.name.update(name),
            None => self.names.push(ProtectedName {
                member_id: member.clone(),
                name: Text::with_value(name),
            }),
        }
    }

    /// Takes a member off the list, returning the name it had.
    pub fn remove(&mut self, member: &MemberId) -> Option<String> {
        let at = self.names.iter().position(|n| &n.member_id == member)?;
        Some(self.names.remove(at).name.as_str().to_owned())
    }
}

impl Document for Identities {
    const KIND: DocumentKind = DocumentKind::Identities;
    fn schema(&self) -> u64 {
        self.schema
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_groups_document_id_names_the_group_and_nothing_else_does() {
        let group = GroupId::random();
        let id = Identities::document_id(&group);
        assert_eq!(Identities::group_of_id(&id), Some(group));
        assert_eq!(Identities::group_of_id("identities-"), None);
        assert_eq!(Identities::group_of_id("review-x"), None);
    }

    #[test]
    fn names_are_set_renamed_and_removed_by_member() {
        let mut list = Identities::new(&ClassId::random(), &GroupId::random());
        let a = MemberId::random();
        list.set(&a, "Salainen");
        list.set(&a, "Salla");
        assert_eq!(list.names.len(), 1);
        assert_eq!(list.name_of(&a), Some("Salla"));
        assert_eq!(list.remove(&a).as_deref(), Some("Salla"));
        assert_eq!(list.name_of(&a), None);
    }
}
