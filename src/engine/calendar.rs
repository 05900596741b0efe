//! The event calendar: a binary heap keyed by (time, [`EventClass`],
//! insertion sequence). Equal times run in class order, then FIFO; the
//! clock never goes back. Knows nothing of customs or orders.

use crate::time::SimTime;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// What kind of event this is, for ordering events that fall at the same time.
///
/// Events at equal times run in the order of their class (the order listed
/// here), then in the order they were scheduled (FIFO). So a service
/// completion at time `t` frees its server, and the next job in that queue
/// starts, before an arrival at `t` is seen: the arrival finds the freed
/// server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum EventClass {
    /// Something ends and frees a resource: a service or delay completion.
    Release = 0,
    /// The capacity of a resource changes: shift changes, breakdowns, repairs.
    Capacity = 1,
    /// Something new enters: an external arrival.
    Arrival = 2,
    /// Bookkeeping that must see the state after everything else at that
    /// time: the end of the warm-up, sampling of time series.
    Observe = 3,
}

const CLASS_SHIFT: u32 = 56;

#[derive(Clone, Copy)]
struct Scheduled<E> {
    /// Bit pattern of a finite, non-negative `f64`: it orders like the value.
    time_bits: u64,
    /// Event class in the top byte, insertion sequence below.
    key: u64,
    event: E,
}

impl<E> Scheduled<E> {
    /// The whole ordering key: time, then class, then insertion sequence.
    /// Unique, since the sequence is.
    #[inline(always)]
    fn rank(&self) -> u128 {
        (u128::from(self.time_bits) << 64) | u128::from(self.key)
    }
}

impl<E> PartialEq for Scheduled<E> {
    fn eq(&self, other: &Self) -> bool {
        self.rank() == other.rank()
    }
}
impl<E> Eq for Scheduled<E> {}
impl<E> PartialOrd for Scheduled<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Scheduled<E> {
    /// Reversed, so that `BinaryHeap` (a max-heap) has the earliest event on top.
    #[inline(always)]
    fn cmp(&self, other: &Self) -> Ordering {
        other.rank().cmp(&self.rank())
    }
}

/// The future event list: a binary heap keyed by (time, class, insertion
/// order).
///
/// Every key is unique (the insertion sequence is), so the order in which
/// events come out does not depend on the heap's shape: any correct
/// priority queue gives the same sequence, bit for bit.
///
/// A popped event leaves its slot at the root empty until the next call:
/// an event handler usually schedules at least one event, which then takes
/// the root's place with one sift down instead of a removal (one sift down)
/// and an insertion (one sift up).
///
/// # Complexity
/// `schedule` and `pop` are O(log n) in the number of pending events; no
/// allocation once the heap has reached its working size.
pub(crate) struct EventCalendar<E> {
    heap: BinaryHeap<Scheduled<E>>,
    /// Whether `heap[0]` was popped and is waiting to be replaced.
    root_taken: bool,
    next_seq: u64,
    now: SimTime,
}

impl<E> std::fmt::Debug for EventCalendar<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventCalendar")
            .field("pending", &self.len())
            .field("now", &self.now)
            .finish()
    }
}

impl<E> EventCalendar<E> {
    /// The time of the last event popped.
    #[inline]
    pub(crate) fn now(&self) -> SimTime {
        self.now
    }

    /// Number of pending events.
    pub(crate) fn len(&self) -> usize {
        self.heap.len() - usize::from(self.root_taken)
    }

    /// Bytes held by the calendar's table (pending events and spare room).
    pub(crate) fn bytes(&self) -> usize {
        self.heap.capacity() * std::mem::size_of::<Scheduled<E>>()
    }
}

impl<E: Copy> EventCalendar<E> {
    pub(crate) fn new() -> Self {
        EventCalendar {
            heap: BinaryHeap::with_capacity(64),
            root_taken: false,
            next_seq: 0,
            now: SimTime::ZERO,
        }
    }

    /// Schedules `event` at `at`, which must not be earlier than now.
    ///
    /// The model's checks keep every time finite and not in the past; as a
    /// last guard in release builds too, a time before now (or NaN) is
    /// taken as now and an infinite one as the largest finite time, so the
    /// clock can never run backwards or leave the finite numbers. A valid
    /// time passes unchanged, bit for bit.
    #[inline]
    pub(crate) fn schedule(&mut self, at: SimTime, class: EventClass, event: E) {
        debug_assert!(
            at.secs().is_finite() && at >= self.now,
            "scheduled in the past: {at:?}"
        );
        let secs = at.secs().max(self.now.secs()).min(f64::MAX);
        let key = ((class as u64) << CLASS_SHIFT) | self.next_seq;
        self.next_seq += 1;
        // `+ 0.0` turns a -0.0 into +0.0 so the bit pattern orders correctly.
        let time_bits = (secs + 0.0).to_bits();
        let entry = Scheduled {
            time_bits,
            key,
            event,
        };
        if std::mem::take(&mut self.root_taken) {
            // The popped root's slot takes the new event, which sinks to
            // its place as `top` drops.
            if let Some(mut top) = self.heap.peek_mut() {
                *top = entry;
                return;
            }
            debug_assert!(false, "a taken root in an empty heap");
        }
        self.heap.push(entry);
    }

    /// Removes a popped root for good.
    #[inline]
    fn settle(&mut self) {
        if self.root_taken {
            self.root_taken = false;
            self.heap.pop();
        }
    }

    /// The time of the next event, if any.
    #[inline]
    pub(crate) fn peek_time(&mut self) -> Option<SimTime> {
        self.settle();
        self.heap
            .peek()
            .map(|s| SimTime::from_secs(f64::from_bits(s.time_bits)))
    }

    /// The time and class of the next event, if any.
    #[inline]
    pub(crate) fn peek(&mut self) -> Option<(SimTime, EventClass)> {
        self.settle();
        self.heap.peek().map(|s| {
            let class = match s.key >> CLASS_SHIFT {
                0 => EventClass::Release,
                1 => EventClass::Capacity,
                2 => EventClass::Arrival,
                _ => EventClass::Observe,
            };
            (SimTime::from_secs(f64::from_bits(s.time_bits)), class)
        })
    }

    /// Removes the next event and advances the clock to its time.
    #[inline]
    pub(crate) fn pop(&mut self) -> Option<(SimTime, E)> {
        self.settle();
        let s = *self.heap.peek()?;
        self.root_taken = true;
        let t = SimTime::from_secs(f64::from_bits(s.time_bits));
        debug_assert!(t >= self.now, "clock went backwards");
        self.now = t;
        Some((t, s.event))
    }

    /// Advances the clock to `t` without an event (the end of a horizon).
    pub(crate) fn advance_to(&mut self, t: SimTime) {
        if t > self.now {
            self.now = t;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// In release builds (where the debug assertion is off) a time in the
    /// past, NaN or infinity never moves the clock backwards or off the
    /// finite numbers.
    #[cfg(not(debug_assertions))]
    #[test]
    fn a_bad_time_never_moves_the_clock_back_or_off_the_numbers() {
        let mut c = EventCalendar::new();
        c.schedule(SimTime::from_secs(5.0), EventClass::Arrival, 'a');
        assert_eq!(c.pop().map(|e| e.1), Some('a'));
        c.schedule(SimTime::from_secs(-1.0), EventClass::Arrival, 'p');
        c.schedule(SimTime::from_secs(f64::NAN), EventClass::Arrival, 'n');
        c.schedule(SimTime::from_secs(f64::INFINITY), EventClass::Arrival, 'i');
        assert_eq!(c.pop(), Some((SimTime::from_secs(5.0), 'p')));
        assert_eq!(c.pop(), Some((SimTime::from_secs(5.0), 'n')));
        assert_eq!(c.pop(), Some((SimTime::from_secs(f64::MAX), 'i')));
    }

    #[test]
    fn earlier_time_first() {
        let mut c = EventCalendar::new();
        c.schedule(SimTime::from_secs(2.0), EventClass::Arrival, 'b');
        c.schedule(SimTime::from_secs(1.0), EventClass::Arrival, 'a');
        assert_eq!(
            c.peek(),
            Some((SimTime::from_secs(1.0), EventClass::Arrival))
        );
        assert_eq!(c.pop().map(|e| e.1), Some('a'));
        assert_eq!(c.now(), SimTime::from_secs(1.0));
        assert_eq!(c.pop().map(|e| e.1), Some('b'));
        assert!(c.pop().is_none());
    }

    #[test]
    fn equal_times_by_class_then_fifo() {
        let mut c = EventCalendar::new();
        let t = SimTime::from_secs(5.0);
        c.schedule(t, EventClass::Observe, "observe");
        c.schedule(t, EventClass::Arrival, "arrival 1");
        c.schedule(t, EventClass::Release, "release 1");
        c.schedule(t, EventClass::Arrival, "arrival 2");
        c.schedule(t, EventClass::Capacity, "capacity");
        c.schedule(t, EventClass::Release, "release 2");
        let order: Vec<_> = std::iter::from_fn(|| c.pop().map(|e| e.1)).collect();
        assert_eq!(
            order,
            [
                "release 1",
                "release 2",
                "capacity",
                "arrival 1",
                "arrival 2",
                "observe"
            ]
        );
    }

    /// Against a sorted list: random times (many equal) and classes,
    /// scheduled between pops as an event loop does, come out in (time,
    /// class, insertion) order, with the pending count right throughout.
    #[test]
    fn pops_in_key_order_as_a_sorted_list_would() {
        use rand::{RngExt, SeedableRng};
        let classes = [
            EventClass::Release,
            EventClass::Capacity,
            EventClass::Arrival,
            EventClass::Observe,
        ];
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(9);
        let mut c = EventCalendar::new();
        // The reference: (time, class, sequence) of every pending event.
        let mut pending: Vec<(u64, EventClass, usize)> = Vec::new();
        let mut seq = 0;
        for _ in 0..20_000 {
            for _ in 0..rng.random_range(0..3usize) {
                let t = c.now().secs() + f64::from(rng.random_range(0..6u8));
                let class = classes[rng.random_range(0..4usize)];
                c.schedule(SimTime::from_secs(t), class, seq);
                pending.push((t.to_bits(), class, seq));
                seq += 1;
            }
            assert_eq!(c.len(), pending.len());
            let Some(first) = pending.iter().min().copied() else {
                assert!(c.pop().is_none());
                continue;
            };
            pending.retain(|p| *p != first);
            assert_eq!(
                c.peek_time(),
                Some(SimTime::from_secs(f64::from_bits(first.0)))
            );
            assert_eq!(c.pop().map(|e| e.1), Some(first.2));
        }
        assert!(seq > 15_000);
    }

    /// A new event that takes a popped root's place sinks below smaller
    /// ones or stays on top; a pop straight after a pop, and the pending
    /// count while a root is taken, are right.
    #[test]
    fn a_replaced_root_sinks_or_stays_and_len_is_right() {
        let mut c = EventCalendar::new();
        for (t, e) in [(1.0, 'a'), (2.0, 'b'), (3.0, 'c'), (4.0, 'd')] {
            c.schedule(SimTime::from_secs(t), EventClass::Arrival, e);
        }
        assert_eq!(c.pop().map(|e| e.1), Some('a'));
        assert_eq!(c.len(), 3);
        c.schedule(SimTime::from_secs(5.0), EventClass::Arrival, 'e'); // larger: sinks
        assert_eq!(c.pop().map(|e| e.1), Some('b'));
        c.schedule(SimTime::from_secs(2.0), EventClass::Release, 'f'); // smaller: stays on top
        assert_eq!(c.len(), 4);
        assert_eq!(c.pop().map(|e| e.1), Some('f'));
        assert_eq!(c.len(), 3);
        assert_eq!(c.pop().map(|e| e.1), Some('c')); // a pop right after a pop
        assert_eq!(c.pop().map(|e| e.1), Some('d'));
        assert_eq!(c.pop().map(|e| e.1), Some('e'));
        assert_eq!(c.len(), 0);
        assert!(c.pop().is_none() && c.peek().is_none());
        assert_eq!(c.len(), 0);
    }

    #[test]
    fn zero_and_negative_zero_are_the_same_time() {
        let mut c = EventCalendar::new();
        c.schedule(SimTime::from_secs(0.0), EventClass::Arrival, 1);
        c.schedule(SimTime::from_secs(-0.0), EventClass::Release, 2);
        assert_eq!(c.pop().map(|e| e.1), Some(2));
    }
}
