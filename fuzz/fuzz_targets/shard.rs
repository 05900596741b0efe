//! Shard JSON -> parse -> validate -> estimates -> merge. Any bytes must
//! give a shard or an error, never a panic. A NUL byte splits the input
//! into several shard files, merged together as `cbec-sim merge` does.
#![no_main]

use cbec_sim::experiment::ShardResult;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let shards: Vec<ShardResult> = data
        .split(|b| *b == 0)
        .filter_map(|part| std::str::from_utf8(part).ok())
        .filter_map(|text| ShardResult::from_json(text).ok())
        .collect();
    for s in &shards {
        // A shard that parsed is valid: estimating it must not panic.
        let _ = s.estimates();
        assert_eq!(s.indices().count() as u64, s.finished());
        let _ = s.to_json();
    }
    if let Ok(merged) = ShardResult::merge(shards) {
        let _ = merged.estimates();
        assert_eq!(merged.rows.len() as u64, merged.finished());
    }
});
