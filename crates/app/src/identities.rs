//! Protected pupils' names: written to their group's identities document
//! ([`hugme_model::Identities`]), never to the class document that every tablet holds, and read
//! back only where the sync's read policy lets that document be: the teacher's device, hubs
//! and the group's own tablets.
//!
//! A pupil marked protected when already named in the class document has the name moved out
//! (the class document's entry is emptied). The tablets that had synced the class document
//! before keep the old name in its history, which the app never shows: marking a pupil when
//! adding them keeps the name off other tablets altogether (the class editor offers that).

use hugme_model::{Class, ClassId, DeviceRole, GroupId, Identities, MemberId};

use crate::api::view::GroupCard;
use crate::error::{Error, Result};
use crate::App;

impl App {
    /// A class's group cards as this device may show them: a pupil with a protected
    /// identity is listed only on a teacher's device and on the tablets of the pupil's own
    /// group, named from the group's identities document (which only those devices receive);
    /// other groups' tablets do not list them at all.
    pub fn group_cards(&self, class: &Class) -> Result<Vec<GroupCard>> {
        let device = self.device();
        let me = device
            .as_deref()
            .and_then(|d| class.devices.iter().find(|e| e.id.as_str() == d))
            .filter(|e| !e.revoked);
        let teacher = me.is_some_and(|e| e.role == DeviceRole::Teacher);
        let mut cards = Vec::with_capacity(class.groups.len());
        for group in &class.groups {
            let mut card = GroupCard::of(group);
            let own = me.is_some_and(|e| e.groups.contains(&group.id));
            if !teacher && !own {
                card.members.retain(|m| !m.protected_identity);
            } else if let Some(names) = self.protected_names(&group.id)? {
                for member in card.members.iter_mut().filter(|m| m.protected_identity) {
                    if let Some(name) = names.name_of(&MemberId::from(member.id.as_str())) {
                        member.name = name.to_owned();
                    }
                }
            }
            cards.push(card);
        }
        Ok(cards)
    }

    /// A group's protected names, if this device holds its identities document.
    pub fn protected_names(&self, group: &GroupId) -> Result<Option<Identities>> {
        match self.read::<Identities>(&Identities::document_id(group)) {
            Ok(opened) => Ok(Some(opened.value)),
            Err(Error::Store(hugme_store::Error::NoSuchDocument { .. })) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// On a teacher's device, moves any protected pupil's name still in a class document into
    /// the group's identities document and empties it there: classes written before protected
    /// names had documents of their own, or a rename on a second teacher device that had not
    /// yet heard the pupil was protected. Returns how many names moved (none elsewhere).
    ///
    /// # Errors
    /// The store's.
    pub fn move_protected_names_out(&self) -> Result<usize> {
        if !self.is_teacher()? {
            return Ok(0);
        }
        let mut moved = 0;
        for class in self.classes()? {
            for group in &class.groups {
                for member in &group.members {
                    let name = member.name.as_str();
                    if !member.protected_identity || name.is_empty() {
                        continue;
                    }
                    // The class document's name is the newer (written after, or beside, the
                    // one kept).
                    self.keep_protected_name(&class.id, &group.id, &member.id, name)?;
                    self.update_class(&class.id, |c| {
                        let found = c
                            .group_mut(&group.id)
                            .and_then(|g| g.members.iter_mut().find(|m| m.id == member.id));
                        if let Some(m) = found {
                            m.name.update("");
                        }
                        Ok(())
                    })?;
                    moved += 1;
                }
            }
        }
        Ok(moved)
    }

    /// Sets a protected pupil's name in the group's identities document (made if missing).
    pub(crate) fn keep_protected_name(
        &self,
        class: &ClassId,
        group: &GroupId,
        member: &MemberId,
        name: &str,
    ) -> Result<()> {
        let id = Identities::document_id(group);
        if self.protected_names(group)?.is_none() {
            self.create(&id, &Identities::new(class, group))?;
        }
        self.change::<Identities, _>(&id, |list| {
            list.set(member, name);
            Ok(())
        })
    }

    /// Takes a pupil off the group's protected names, returning the name it had there.
    pub(crate) fn drop_protected_name(
        &self,
        group: &GroupId,
        member: &MemberId,
    ) -> Result<Option<String>> {
        if self.protected_names(group)?.is_none() {
            return Ok(None);
        }
        self.change::<Identities, _>(&Identities::document_id(group), |list| {
            Ok(list.remove(member))
        })
    }
}
