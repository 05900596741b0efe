//! The live orders: class, times and, in flat tables, milestone stamps and
//! attributes.
//!
//! Slots are reused when an order leaves, so an [`EntityId`] is valid only
//! while its order is in the system. Milestones are stamped once (the first
//! entry into a node that carries one); attributes start at 0.

use crate::engine::{Arena, EntityId};
use crate::rng::{KeyedRng, StreamId, keyed_rng, next_key};
use crate::time::SimTime;

/// What the engine knows of one order while it is in the system.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Order {
    pub(crate) class: u16,
    /// The order's random-number key, 48 bits in two parts so that the
    /// record stays 32 bytes: see [`Order::key`].
    key_hi: u16,
    key_lo: u32,
    /// Time the order entered the system.
    pub(crate) created: SimTime,
    /// Time the order entered its current station.
    pub(crate) entered: SimTime,
    /// While the order waits at a station with patience (or for stock):
    /// the seconds at which its patience runs out, which a pending timeout
    /// compares with its own time to tell whether it is stale; NaN when
    /// none runs (NaN equals no time, so every timeout is then stale).
    /// A bare `f64` rather than an `Option`, so that the record is 32
    /// bytes, not 40: see [`Order::renege_at`].
    renege_secs: f64,
}

impl Order {
    /// The key of the order's own random numbers (48 bits): set when the
    /// order is created and moved on at each station and delay it enters
    /// and after each router's draw, see
    /// [`crate::rng::Synchronisation::ByOrder`].
    #[inline(always)]
    pub(crate) fn key(&self) -> u64 {
        (u64::from(self.key_hi) << 32) | u64::from(self.key_lo)
    }

    /// Sets the key (its low 48 bits).
    #[inline(always)]
    pub(crate) fn set_key(&mut self, key: u64) {
        self.key_hi = (key >> 32) as u16;
        self.key_lo = key as u32;
    }

    /// When the order's patience runs out, if it is waiting with one.
    #[inline]
    pub(crate) fn renege_at(&self) -> Option<SimTime> {
        (!self.renege_secs.is_nan()).then_some(SimTime::from_secs(self.renege_secs))
    }

    /// Starts (`Some`) or stops (`None`) the order's patience.
    #[inline]
    pub(crate) fn set_renege_at(&mut self, at: Option<SimTime>) {
        self.renege_secs = at.map_or(f64::NAN, SimTime::secs);
    }
}

// The record stays at 32 bytes (see `renege_secs`).
const _: () = assert!(std::mem::size_of::<Order>() == 32);

/// The live orders, with their milestone timestamps and attributes in flat tables.
#[derive(Debug)]
pub(crate) struct Orders {
    arena: Arena<Order>,
    /// `milestones[slot * per_order + m]`: first time the order reached
    /// milestone `m`, or NaN if it has not.
    milestones: Vec<f64>,
    n_milestones: usize,
    /// `attributes[slot * n_attributes + a]`, 0 until set.
    attributes: Vec<f64>,
    n_attributes: usize,
    created: u64,
}

impl Orders {
    pub(crate) fn new(milestones: usize, attributes: usize) -> Self {
        Orders {
            arena: Arena::new(),
            milestones: Vec::new(),
            n_milestones: milestones,
            attributes: Vec::new(),
            n_attributes: attributes,
            created: 0,
        }
    }

    #[inline(always)]
    pub(crate) fn create(&mut self, class: u16, now: SimTime, key: u64) -> EntityId {
        let mut order = Order {
            class,
            key_hi: 0,
            key_lo: 0,
            created: now,
            entered: now,
            renege_secs: f64::NAN,
        };
        order.set_key(key);
        let id = self.arena.insert(order);
        self.created += 1;
        let slots = self.arena.capacity();
        if self.n_milestones > 0 {
            if self.milestones.len() < slots * self.n_milestones {
                self.milestones.resize(slots * self.n_milestones, f64::NAN);
            }
            let start = id.index() * self.n_milestones;
            self.milestones[start..start + self.n_milestones].fill(f64::NAN);
        }
        if self.n_attributes > 0 {
            if self.attributes.len() < slots * self.n_attributes {
                self.attributes.resize(slots * self.n_attributes, 0.0);
            }
            let start = id.index() * self.n_attributes;
            self.attributes[start..start + self.n_attributes].fill(0.0);
        }
        id
    }

    /// The generator of order `id`'s draws at `stream` (see
    /// [`crate::rng`]).
    #[inline(always)]
    pub(crate) fn keyed_rng(&self, id: EntityId, stream: StreamId) -> KeyedRng {
        keyed_rng(self.arena[id].key(), stream)
    }

    /// Order `id` enters a station or delay, or has drawn at a router: its
    /// key moves on (see [`crate::rng`]).
    #[inline(always)]
    pub(crate) fn next_key(&mut self, id: EntityId) {
        let order = &mut self.arena[id];
        order.set_key(next_key(order.key()));
    }

    #[inline]
    pub(crate) fn remove(&mut self, id: EntityId) {
        self.arena.remove(id);
    }

    /// Stamps milestone `m` unless already set; returns whether it was new.
    #[inline]
    pub(crate) fn stamp(&mut self, id: EntityId, m: u16, now: SimTime) -> bool {
        let slot = &mut self.milestones[id.index() * self.n_milestones + m as usize];
        if slot.is_nan() {
            *slot = now.secs();
            true
        } else {
            false
        }
    }

    /// When order `id` reached milestone `m`, if it has.
    #[inline]
    pub(crate) fn milestone(&self, id: EntityId, m: u16) -> Option<SimTime> {
        let t = self.milestones[id.index() * self.n_milestones + m as usize];
        (!t.is_nan()).then_some(SimTime::from_secs(t))
    }

    #[inline]
    pub(crate) fn attribute(&self, id: EntityId, a: u16) -> f64 {
        self.attributes[id.index() * self.n_attributes + a as usize]
    }

    /// Every attribute of order `id`, in model order.
    #[inline]
    pub(crate) fn attributes_of(&self, id: EntityId) -> &[f64] {
        let start = id.index() * self.n_attributes;
        &self.attributes[start..start + self.n_attributes]
    }

    #[inline]
    pub(crate) fn attribute_mut(&mut self, id: EntityId, a: u16) -> &mut f64 {
        &mut self.attributes[id.index() * self.n_attributes + a as usize]
    }

    pub(crate) fn live(&self) -> usize {
        self.arena.live()
    }

    /// Slots in the table, live or free.
    pub(crate) fn slots(&self) -> usize {
        self.arena.capacity()
    }

    /// Bytes per slot: the record, its stamps and its attributes.
    pub(crate) fn slot_bytes(&self) -> usize {
        std::mem::size_of::<Order>() + 8 * (self.n_milestones + self.n_attributes)
    }

    /// Bytes held by the order table: records, free list, stamps and
    /// attributes (capacities, spare room included).
    pub(crate) fn bytes(&self) -> usize {
        self.arena.bytes() + (self.milestones.capacity() + self.attributes.capacity()) * 8
    }

    /// The ids of the orders in the system.
    pub(crate) fn live_ids(&self) -> Vec<EntityId> {
        self.arena.live_ids()
    }

    pub(crate) fn created_count(&self) -> u64 {
        self.created
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
