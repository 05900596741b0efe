//! The entity arena: live entities stored by index, freed slots reused, so
//! a warm run allocates nothing per entity. An [`EntityId`] is valid only
//! while its entity lives; a reused slot gives the same id to another.

/// Index of a live entity in an [`Arena`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct EntityId(pub(crate) u32);

impl EntityId {
    #[inline]
    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

/// Entities stored by index; freed slots are reused, so a warm run allocates nothing.
///
/// # Complexity
/// `insert` and `remove` are O(1).
#[derive(Debug)]
pub(crate) struct Arena<T> {
    slots: Vec<T>,
    free: Vec<u32>,
}

impl<T> Arena<T> {
    pub(crate) fn new() -> Self {
        Arena {
            slots: Vec::new(),
            free: Vec::new(),
        }
    }

    /// Stores `value`, reusing a freed slot when there is one.
    #[inline]
    pub(crate) fn insert(&mut self, value: T) -> EntityId {
        if let Some(i) = self.free.pop() {
            self.slots[i as usize] = value;
            EntityId(i)
        } else {
            let i = u32::try_from(self.slots.len()).expect("more than 4 billion live entities");
            self.slots.push(value);
            EntityId(i)
        }
    }

    /// Frees the slot of `id`; the id must not be used again.
    #[inline]
    pub(crate) fn remove(&mut self, id: EntityId) {
        debug_assert!(!self.free.contains(&id.0), "double free of {id:?}");
        self.free.push(id.0);
    }

    /// Number of slots ever created (live or free).
    pub(crate) fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Bytes held by the slots and the free list (capacities).
    pub(crate) fn bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<T>() + self.free.capacity() * 4
    }

    /// Number of live entities.
    pub(crate) fn live(&self) -> usize {
        self.slots.len() - self.free.len()
    }

    /// The ids of the live entities, in slot order. O(slots): for the rare
    /// moments that look at every entity (the window's opening and end).
    pub(crate) fn live_ids(&self) -> Vec<EntityId> {
        let mut free = vec![false; self.slots.len()];
        for &i in &self.free {
            free[i as usize] = true;
        }
        (0..self.slots.len() as u32)
            .filter(|&i| !free[i as usize])
            .map(EntityId)
            .collect()
    }
}

impl<T> std::ops::Index<EntityId> for Arena<T> {
    type Output = T;
    #[inline]
    fn index(&self, id: EntityId) -> &T {
        &self.slots[id.index()]
    }
}

impl<T> std::ops::IndexMut<EntityId> for Arena<T> {
    #[inline]
    fn index_mut(&mut self, id: EntityId) -> &mut T {
        &mut self.slots[id.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freed_slots_are_reused() {
        let mut a = Arena::new();
        let x = a.insert(1);
        let y = a.insert(2);
        a.remove(x);
        let z = a.insert(3);
        assert_eq!(z, x);
        assert_eq!((a[y], a[z]), (2, 3));
        assert_eq!((a.capacity(), a.live()), (2, 2));
    }
}
