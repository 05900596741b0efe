//! Random streams: the generator and how each stream is seeded.
//!
//! # Stability promise
//!
//! Every random source in a model (a source's inter-arrival times, its class
//! draws, a station's service times, a router's decisions) has its own
//! stream (service times, decisions and patience are drawn from the
//! orders' own keys by default: see below). The stream is a [`Xoshiro256PlusPlus`] generator (a named, portable
//! algorithm) whose 256-bit state is
//!
//! ```text
//! [ mix(master_seed), mix(replication ^ 0x9E37_79B9_7F4A_7C15),
//!   mix(stream_id ^ 0xD1B5_4A32_D192_ED03), mix(master_seed ^ replication ^ stream_id) ]
//! ```
//!
//! written as four little-endian `u64` words, where `mix` is the SplitMix64
//! finaliser (`z += 0x9E3779B97F4A7C15; z = (z ^ z>>30)·0xBF58476D1CE4E5B9;
//! z = (z ^ z>>27)·0x94D049BB133111EB; z ^ z>>31`). `mix` is a bijection, so
//! two different (master seed, replication, stream) triples never share a
//! state. The stream id is [`StreamId::named`]: FNV-1a (64-bit) of the text
//! `"<kind>/<node name>/<purpose>"`, for example `"station/review/service"`.
//!
//! Because the id comes from the node's *name*, not its position, adding,
//! removing or reordering other nodes leaves a node's stream untouched: this
//! is what gives common random numbers across scenario variants, and what
//! makes a replication reproducible on any thread count and in any shard.
//! This derivation will not change within a major version.
//!
//! # Whose draws: the node's or the order's
//!
//! A node's stream hands out its numbers in the order the node uses them
//! (service times as services start, routing as orders pass). When a
//! measure changes that order (sea lots reach a review shared with air
//! lots sooner, officers on a night shift release orders in a different
//! sequence), every later draw at the node goes to a different order, and
//! the variants' random numbers drift apart. So by default
//! ([`Synchronisation::ByOrder`]) the draws an order makes for itself
//! (service and delay times, routing decisions, patience) come from the
//! order's own key instead:
//!
//! - the `i`-th order (from 0) a creator makes gets the key `mix(base ^ i)`
//!   cut to its low 48 bits, where `base = mix(mix(mix(master_seed) ^
//!   replication) ^ creator)` and `creator` is [`StreamId::named`]`("source",
//!   name, "orders")` for a source or `("stock", name, "lots")` for a
//!   stock's reorders;
//! - each time the order enters a station or a delay its key becomes
//!   `mix(key ^ 0xA076_1D64_78BD_642F)`, cut to 48 bits; its draws there
//!   at a stream `s` (each part of a delay has its own, and patience its
//!   own) come from a [`KeyedRng`] (SplitMix64, a named and portable
//!   generator) whose state is `mix(key ^ s)`;
//! - a router that draws (one with more than one branch for the order's
//!   class, when no rule decides) uses the generator at its stream with
//!   the order's key as it is, then moves the key on the same way.
//!
//! So an order draws the same numbers at a node in every variant as long
//! as it reaches the node by the same path (the same stations and delays,
//! and the same routers' draws, before it, each visit counted): whatever
//! the order it arrives in, whether it waited there, and whatever the
//! other orders did. A
//! variant that sends it through another node before (a skipped stage, a
//! rework loop) gives it fresh numbers from there on. Two orders share
//! their keys, and so their numbers, only by a 48-bit coincidence: about
//! n² / 2⁴⁹ pairs among n orders at one node (0.04 for five million).
//! Inter-arrival times, classes and attributes, breakdowns and repairs
//! stay on the nodes' streams. [`Synchronisation::ByNode`] gives the node
//! streams for every draw, as the crate did before this choice existed,
//! so numbers published before it can be reproduced.

use rand::SeedableRng;
pub use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

/// The generator behind every stream.
pub type SimRng = Xoshiro256PlusPlus;

/// The identity of one random stream within a replication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StreamId(pub u64);

impl StreamId {
    /// The stream of `purpose` at the node `name` of the given `kind`.
    ///
    /// ```
    /// use cbec_sim::StreamId;
    /// // FNV-1a of the empty string is the FNV offset basis.
    /// assert_eq!(StreamId::named("", "", "").0, StreamId::fnv1a(b"//"));
    /// assert_ne!(StreamId::named("station", "a", "service"), StreamId::named("station", "b", "service"));
    /// ```
    #[must_use]
    pub fn named(kind: &str, name: &str, purpose: &str) -> Self {
        let text = format!("{kind}/{name}/{purpose}");
        StreamId(Self::fnv1a(text.as_bytes()))
    }

    /// 64-bit FNV-1a hash of `bytes`.
    #[must_use]
    pub fn fnv1a(bytes: &[u8]) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h
    }
}

/// The SplitMix64 finaliser, a bijection on `u64`.
#[must_use]
pub const fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The generator of `stream` in replication `replication` under `master_seed`.
///
/// See the module docs for the exact derivation.
#[must_use]
pub fn stream_rng(master_seed: u64, replication: u64, stream: StreamId) -> SimRng {
    let words = [
        mix(master_seed),
        mix(replication ^ 0x9E37_79B9_7F4A_7C15),
        mix(stream.0 ^ 0xD1B5_4A32_D192_ED03),
        mix(master_seed ^ replication ^ stream.0),
    ];
    let mut seed = [0u8; 32];
    for (chunk, w) in seed.chunks_exact_mut(8).zip(words) {
        chunk.copy_from_slice(&w.to_le_bytes());
    }
    SimRng::from_seed(seed)
}

/// Whose stream an order's own draws come from (`simulation.random_numbers`
/// in a scenario file): see the [module docs](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Synchronisation {
    /// Service and delay times, routing decisions and patience come from
    /// the order's own key: a scenario's variants give each order the
    /// same numbers at a node whenever it reaches the node by the same
    /// path, whatever the order the orders arrive in. The default.
    #[default]
    ByOrder,
    /// Every draw comes from the node's stream, in the order the node
    /// makes them: the crate's numbers before this choice existed.
    ByNode,
}

/// The words of a scenario file: `by_order` or `by_node`.
impl std::fmt::Display for Synchronisation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Synchronisation::ByOrder => "by_order",
            Synchronisation::ByNode => "by_node",
        })
    }
}

impl Synchronisation {
    /// Whether this is the default, [`Synchronisation::ByOrder`].
    #[must_use]
    pub fn is_default(&self) -> bool {
        *self == Synchronisation::default()
    }
}

/// The low 48 bits, the size of an order's key.
const KEY_BITS: u64 = (1 << 48) - 1;

/// The base of the keys of the orders made by `creator`: see the module
/// docs.
#[must_use]
pub(crate) fn key_base(master_seed: u64, replication: u64, creator: StreamId) -> u64 {
    mix(mix(mix(master_seed) ^ replication) ^ creator.0)
}

/// The key of the `index`-th order (from 0) of the creator with `base`.
#[inline(always)]
#[must_use]
pub(crate) fn order_key(base: u64, index: u64) -> u64 {
    mix(base ^ index) & KEY_BITS
}

/// The generator of an order's own draws: one draw at one node.
pub type KeyedRng = rand_xoshiro::SplitMix64;

/// The generator of the draws at `stream` by the order whose key is `key`
/// (its key since it entered the node): see the module docs.
#[inline(always)]
#[must_use]
pub(crate) fn keyed_rng(key: u64, stream: StreamId) -> KeyedRng {
    KeyedRng::seed_from_u64(mix(key ^ stream.0))
}

/// An order's key once it enters another station or delay, or after a
/// router's draw: see
/// the module docs.
#[inline(always)]
#[must_use]
pub(crate) fn next_key(key: u64) -> u64 {
    mix(key ^ 0xA076_1D64_78BD_642F) & KEY_BITS
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn stream_derivation_is_stable() {
        // Value stability: these numbers are part of the reproducibility promise.
        let mut rng = stream_rng(42, 7, StreamId::named("station", "review", "service"));
        let first = [rng.next_u64(), rng.next_u64()];
        let mut again = stream_rng(42, 7, StreamId::named("station", "review", "service"));
        assert_eq!(first, [again.next_u64(), again.next_u64()]);
        assert_eq!(StreamId::fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(mix(0), 0xe220_a839_7b1d_cdaf);
    }

    #[test]
    fn order_keys_follow_the_documented_formula() {
        // Value stability of the orders' own numbers (module docs).
        let creator = StreamId::named("source", "orders", "orders");
        let base = key_base(42, 7, creator);
        assert_eq!(base, mix(mix(mix(42) ^ 7) ^ creator.0));
        let key = order_key(base, 3);
        assert_eq!(key, mix(base ^ 3) & ((1 << 48) - 1));
        assert_eq!(
            next_key(key),
            mix(key ^ 0xA076_1D64_78BD_642F) & ((1 << 48) - 1)
        );
        // A keyed generator is SplitMix64 from mix(key ^ stream): its first
        // output is mix of that state.
        let s = StreamId::named("station", "review", "service");
        let mut rng = keyed_rng(key, s);
        assert_eq!(rng.next_u64(), mix(mix(key ^ s.0)));
        // Keys stay within 48 bits, and two streams at one key differ.
        assert!(key < 1 << 48 && next_key(key) < 1 << 48);
        let other = StreamId::named("station", "review", "patience");
        assert_ne!(
            keyed_rng(key, s).next_u64(),
            keyed_rng(key, other).next_u64()
        );
    }

    #[test]
    fn streams_differ_by_each_coordinate() {
        let s = StreamId::named("source", "orders", "arrivals");
        let base = stream_rng(1, 0, s).next_u64();
        assert_ne!(base, stream_rng(2, 0, s).next_u64());
        assert_ne!(base, stream_rng(1, 1, s).next_u64());
        assert_ne!(base, stream_rng(1, 0, StreamId(s.0 + 1)).next_u64());
    }
}
