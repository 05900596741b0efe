use crate::engine::{Arena, EntityId};

/// What the engine knows of one order while it is in the system.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Order {
    pub(crate) class: u16,
    /// Time the order entered the system, seconds.
    pub(crate) created: f64,
    /// Time the order entered its current station, seconds.
    pub(crate) entered: f64,
}

/// The live orders, with their milestone timestamps in one flat table.
#[derive(Debug)]
pub(crate) struct Orders {
    arena: Arena<Order>,
    /// `milestones[slot * per_order + m]`: first time the order reached
    /// milestone `m`, or NaN if it has not.
    milestones: Vec<f64>,
    per_order: usize,
    next_serial: u64,
}

impl Orders {
    pub(crate) fn new(milestones: usize) -> Self {
        Orders {
            arena: Arena::new(),
            milestones: Vec::new(),
            per_order: milestones,
            next_serial: 0,
        }
    }

    #[inline]
    pub(crate) fn create(&mut self, class: u16, now: f64) -> EntityId {
        let id = self.arena.insert(Order {
            class,
            created: now,
            entered: now,
        });
        self.next_serial += 1;
        if self.per_order > 0 {
            let need = self.arena.capacity() * self.per_order;
            if self.milestones.len() < need {
                self.milestones.resize(need, f64::NAN);
            }
            let start = id.index() * self.per_order;
            self.milestones[start..start + self.per_order].fill(f64::NAN);
        }
        id
    }

    #[inline]
    pub(crate) fn remove(&mut self, id: EntityId) {
        self.arena.remove(id);
    }

    /// Stamps milestone `m` unless already set; returns whether it was new.
    #[inline]
    pub(crate) fn stamp(&mut self, id: EntityId, m: u16, now: f64) -> bool {
        let slot = &mut self.milestones[id.index() * self.per_order + m as usize];
        if slot.is_nan() {
            *slot = now;
            true
        } else {
            false
        }
    }

    #[inline]
    pub(crate) fn milestone(&self, id: EntityId, m: u16) -> f64 {
        self.milestones[id.index() * self.per_order + m as usize]
    }

    pub(crate) fn live(&self) -> usize {
        self.arena.live()
    }

    pub(crate) fn created_count(&self) -> u64 {
        self.next_serial
    }
}

impl std::ops::Index<EntityId> for Orders {
    type Output = Order;
    #[inline]
    fn index(&self, id: EntityId) -> &Order {
        &self.arena[id]
    }
}

impl std::ops::IndexMut<EntityId> for Orders {
    #[inline]
    fn index_mut(&mut self, id: EntityId) -> &mut Order {
        &mut self.arena[id]
    }
}
