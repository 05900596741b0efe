//! The discrete-event core: the event calendar and the entity arena.
//!
//! It knows nothing of customs, orders or stations: the model layer defines
//! what an event means. See the crate docs for the same-time ordering rule.

mod arena;
mod calendar;

pub(crate) use arena::{Arena, EntityId};
pub(crate) use calendar::EventCalendar;
pub use calendar::EventClass;
