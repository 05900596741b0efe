//! The hostile table's rows for outputs and merges (families 1, 3, 6, 7
//! and 9 of issue 12): output targets checked before the run and never
//! replaced when they are not regular files, no panic on a broken shard,
//! partial shards, every inconsistent shard refused naming its file, and
//! command-line messages that name the user's flag, value and unit. Cases
//! that need more than one command or a special file follow the table.

use super::{BASE, Case, Stdout, case, run_table};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_cbec-sim");

/// A shard file of this crate version: model fingerprint, seed, then the
/// remaining fields.
macro_rules! shard {
    ($fingerprint:literal, $seed:literal, $rest:literal) => {
        concat!(
            "{\"format_version\":2,\"crate_version\":\"",
            env!("CARGO_PKG_VERSION"),
            "\",\"model_fingerprint\":",
            $fingerprint,
            ",\"seed\":",
            $seed,
            ",",
            $rest,
            "}"
        )
    };
}

/// `case`, which prints results and may leave `leaves`.
const fn printing(case: Case, leaves: &'static [&'static str]) -> Case {
    Case {
        stdout: Stdout::Any,
        leaves,
        ..case
    }
}

const CASES: [Case; COUNT] = [
    case(
        1,
        "--out on an existing folder is refused before the run, no adir.partial",
        &[("s.toml", "{base}"), ("adir/", "")],
        &["run", "s.toml", "--shard", "0..2", "--out", "adir", "-q"],
        1,
        &["--out adir: is a folder; give a file name"],
    ),
    case(
        1,
        "--report on an existing folder",
        &[("s.toml", "{base}"), ("adir/", "")],
        &["run", "s.toml", "-n", "2", "-q", "--report", "adir"],
        1,
        &["--report adir: is a folder; give a file name"],
    ),
    case(
        1,
        "--csv on an existing file",
        &[("s.toml", "{base}"), ("file.txt", "x")],
        &["run", "s.toml", "-n", "2", "-q", "--csv", "file.txt"],
        1,
        &["--csv file.txt: exists and is not a folder"],
    ),
    case(
        1,
        "--plot on an existing file",
        &[("s.toml", "{base}"), ("file.txt", "x")],
        &["run", "s.toml", "-n", "2", "-q", "--plot", "file.txt"],
        1,
        &["--plot file.txt: exists and is not a folder"],
    ),
    case(
        1,
        "--plot on a character device",
        &[("s.toml", "{base}")],
        &["run", "s.toml", "-n", "2", "-q", "--plot", "/dev/null"],
        1,
        &["--plot /dev/null: exists and is not a folder"],
    ),
    case(
        1,
        "--report in a folder that does not exist",
        &[("s.toml", "{base}")],
        &[
            "run",
            "s.toml",
            "-n",
            "2",
            "-q",
            "--report",
            "missing/r.html",
        ],
        1,
        &["--report missing/r.html: the folder missing does not exist"],
    ),
    case(
        1,
        "--out in a folder that does not exist",
        &[("s.toml", "{base}")],
        &[
            "run",
            "s.toml",
            "--shard",
            "0..1",
            "--out",
            "missing/s.json",
            "-q",
        ],
        1,
        &["--out missing/s.json: the folder missing does not exist"],
    ),
    case(
        1,
        "--report with a trailing slash",
        &[("s.toml", "{base}")],
        &["run", "s.toml", "-n", "2", "-q", "--report", "r.html/"],
        1,
        &["--report r.html/: names a folder; give a file name"],
    ),
    case(
        1,
        "--report with an empty path is refused by the parser",
        &[("s.toml", "{base}")],
        &["run", "s.toml", "-n", "2", "-q", "--report", ""],
        2,
        &["a value is required for '--report"],
    ),
    case(
        1,
        "--csv with an empty path",
        &[("s.toml", "{base}")],
        &["run", "s.toml", "-n", "2", "-q", "--csv", ""],
        2,
        &["a value is required for '--csv"],
    ),
    case(
        1,
        "--report under a regular file",
        &[("s.toml", "{base}"), ("file.txt", "x")],
        &[
            "run",
            "s.toml",
            "-n",
            "2",
            "-q",
            "--report",
            "file.txt/r.html",
        ],
        1,
        &["--report file.txt/r.html: "],
    ),
    case(
        1,
        "--report over a file in a folder no one may write (/proc)",
        &[("s.toml", "{base}")],
        &[
            "run",
            "s.toml",
            "-n",
            "2",
            "-q",
            "--report",
            "/proc/version",
        ],
        1,
        &["--report /proc/version: cannot write in its folder"],
    ),
    case(
        1,
        "--csv in a folder no one may write (/proc)",
        &[("s.toml", "{base}")],
        &[
            "run",
            "s.toml",
            "-n",
            "2",
            "-q",
            "--csv",
            "/proc/cbec-sim-csv",
        ],
        1,
        &["--csv /proc/cbec-sim-csv: cannot write in /proc"],
    ),
    case(
        1,
        "--plot on /proc itself",
        &[("s.toml", "{base}")],
        &["run", "s.toml", "-n", "2", "-q", "--plot", "/proc"],
        1,
        &["--plot /proc: cannot write in this folder"],
    ),
    case(
        1,
        "compare checks --report before running",
        &[("s.toml", "{base}"), ("adir/", "")],
        &[
            "compare",
            "s.toml",
            "--variant",
            "s.toml",
            "-n",
            "2",
            "-q",
            "--report",
            "adir",
        ],
        1,
        &["--report adir: is a folder"],
    ),
    case(
        1,
        "sweep checks --csv before running",
        &[("s.toml", "{base}"), ("file.txt", "x")],
        &[
            "sweep",
            "s.toml",
            "--param",
            "stations.review.servers",
            "--values",
            "3,4",
            "-n",
            "2",
            "-q",
            "--csv",
            "file.txt",
        ],
        1,
        &["--csv file.txt: exists and is not a folder"],
    ),
    case(
        1,
        "factorial checks --plot before running",
        &[("s.toml", "{base}"), ("file.txt", "x")],
        &[
            "factorial",
            "s.toml",
            "--measure",
            "a",
            "--measure",
            "b",
            "-n",
            "2",
            "-q",
            "--plot",
            "file.txt",
        ],
        1,
        &["--plot file.txt: exists and is not a folder"],
    ),
    case(
        1,
        "merge checks --csv before reading shards",
        &[("file.txt", "x"), ("a.json", "{}")],
        &["merge", "a.json", "--csv", "file.txt"],
        1,
        &["--csv file.txt: exists and is not a folder"],
    ),
    printing(
        case(
            1,
            "--report /dev/full: the table is still printed, then exit 1",
            &[("s.toml", "{base}")],
            &["run", "s.toml", "-n", "2", "-q", "--report", "/dev/full"],
            1,
            &["/dev/full: No space left on device"],
        ),
        &[],
    ),
    printing(
        case(
            1,
            "--report /dev/full with --json",
            &[("s.toml", "{base}")],
            &[
                "run",
                "s.toml",
                "-n",
                "2",
                "-q",
                "--report",
                "/dev/full",
                "--json",
            ],
            1,
            &["/dev/full: No space left on device"],
        ),
        &[],
    ),
    printing(
        case(
            1,
            "--out /dev/full",
            &[("s.toml", "{base}")],
            &[
                "run",
                "s.toml",
                "--shard",
                "0..2",
                "--out",
                "/dev/full",
                "-q",
            ],
            1,
            &["/dev/full: No space left on device"],
        ),
        &[],
    ),
    printing(
        case(
            1,
            "--report /dev/null is written to, not replaced",
            &[("s.toml", "{base}")],
            &["run", "s.toml", "-n", "2", "-q", "--report", "/dev/null"],
            0,
            &[],
        ),
        &[],
    ),
    printing(
        case(
            1,
            "--out /dev/null",
            &[("s.toml", "{base}")],
            &[
                "run",
                "s.toml",
                "--shard",
                "0..2",
                "--out",
                "/dev/null",
                "-q",
            ],
            0,
            &[],
        ),
        &[],
    ),
    printing(
        case(
            1,
            "the CSV files are written although the report fails",
            &[("s.toml", "{base}")],
            &[
                "run",
                "s.toml",
                "-n",
                "2",
                "-q",
                "--csv",
                "out",
                "--report",
                "/dev/full",
            ],
            1,
            &["/dev/full"],
        ),
        &["out"],
    ),
    printing(
        case(
            1,
            "an existing report is replaced whole, no temporary file left",
            &[("s.toml", "{base}"), ("r.html", "old")],
            &["run", "s.toml", "-n", "2", "-q", "--report", "r.html"],
            0,
            &[],
        ),
        &[],
    ),
    printing(
        case(
            1,
            "a stale temporary file of the target is removed",
            &[
                ("s.toml", "{base}"),
                ("r.html", "old"),
                (".r.html.cbec-sim-partial", "stale"),
            ],
            &["run", "s.toml", "-n", "2", "-q", "--report", "r.html"],
            0,
            &[],
        ),
        &[],
    ),
    printing(
        case(
            1,
            "a new nested --csv folder is created",
            &[("s.toml", "{base}")],
            &["run", "s.toml", "-n", "2", "-q", "--csv", "new/deeper"],
            0,
            &[],
        ),
        &["new"],
    ),
    printing(
        case(
            1,
            "--out and --csv in one run",
            &[("s.toml", "{base}")],
            &[
                "run", "s.toml", "--shard", "0..2", "--out", "s.json", "--csv", "out", "-q",
            ],
            0,
            &[],
        ),
        &["s.json", "out"],
    ),
    case(
        3,
        "merge of a row shorter than its KPI list",
        &[(
            "short.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":1,\"kpis\":[\"a\",\"b\"],\"rows\":[[1.0]],\"time_in_system\":[]"
            ),
        )],
        &["merge", "short.json"],
        2,
        &["short.json: shard 0..1: the row of replication 0 holds 1 values for 2 KPIs"],
    ),
    case(
        3,
        "merge of a row longer than its KPI list",
        &[(
            "long.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":1,\"kpis\":[\"a\"],\"rows\":[[1.0,2.0]],\"time_in_system\":[]"
            ),
        )],
        &["merge", "long.json"],
        2,
        &["long.json: shard 0..1: the row of replication 0 holds 2 values for 1 KPIs"],
    ),
    case(
        3,
        "merge of an empty file",
        &[("empty.json", "")],
        &["merge", "empty.json"],
        2,
        &["empty.json: shard: EOF while parsing"],
    ),
    case(
        3,
        "merge of a JSON array",
        &[("arr.json", "[]")],
        &["merge", "arr.json"],
        2,
        &["arr.json: shard: "],
    ),
    case(
        3,
        "merge of a shard with a value that is not a number",
        &[(
            "t.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":1,\"kpis\":[\"a\"],\"rows\":[[\"x\"]],\"time_in_system\":[]"
            ),
        )],
        &["merge", "t.json"],
        2,
        &["t.json: shard: "],
    ),
    case(
        3,
        "merge of a value out of the f64 range",
        &[(
            "big.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":1,\"kpis\":[\"a\"],\"rows\":[[1e400]],\"time_in_system\":[]"
            ),
        )],
        &["merge", "big.json"],
        2,
        &["big.json: shard: "],
    ),
    case(
        3,
        "merge of a histogram value beyond its range",
        &[(
            "h.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":1,\"kpis\":[\"a\"],\"rows\":[[1.0]],\"time_in_system\":[[18446744073709551615,1]]"
            ),
        )],
        &["merge", "h.json"],
        2,
        &["h.json: shard: ", "histogram bucket"],
    ),
    case(
        3,
        "merge of a file that does not exist",
        &[],
        &["merge", "nothere.json"],
        2,
        &["nothere.json"],
    ),
    printing(
        case(
            6,
            "a shard with missing replications merges, marked partial",
            &[(
                "p.json",
                shard!(
                    1,
                    1,
                    "\"start\":0,\"end\":3,\"missing\":[[1,2]],\"kpis\":[\"a\"],\"rows\":[[1.0],[3.0]],\"time_in_system\":[]"
                ),
            )],
            &["merge", "p.json", "--json"],
            0,
            &["warning: 1 of replications 0..3 are missing"],
        ),
        &[],
    ),
    printing(
        case(
            6,
            "a partial shard's CSV files are written, marked",
            &[(
                "p.json",
                shard!(
                    1,
                    1,
                    "\"start\":0,\"end\":3,\"missing\":[[1,2]],\"kpis\":[\"a\"],\"rows\":[[1.0],[3.0]],\"time_in_system\":[]"
                ),
            )],
            &["merge", "p.json", "--csv", "out"],
            0,
            &["marked partial"],
        ),
        &["out"],
    ),
    case(
        6,
        "a missing range that touches the start",
        &[(
            "p.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":3,\"missing\":[[0,1]],\"kpis\":[\"a\"],\"rows\":[[1.0],[3.0]],\"time_in_system\":[]"
            ),
        )],
        &["merge", "p.json"],
        2,
        &[
            "p.json: shard 0..3: missing range 0..1 is not sorted, empty, or not strictly inside the range",
        ],
    ),
    case(
        6,
        "missing ranges out of order",
        &[(
            "p.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":9,\"missing\":[[5,6],[2,3]],\"kpis\":[\"a\"],\"rows\":[[1],[1],[1],[1],[1],[1],[1]],\"time_in_system\":[]"
            ),
        )],
        &["merge", "p.json"],
        2,
        &["missing range 2..3"],
    ),
    case(
        6,
        "an empty missing range",
        &[(
            "p.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":3,\"missing\":[[1,1]],\"kpis\":[\"a\"],\"rows\":[[1],[1],[1]],\"time_in_system\":[]"
            ),
        )],
        &["merge", "p.json"],
        2,
        &["missing range 1..1"],
    ),
    case(
        6,
        "a temporary file left by a killed run does not count as a shard",
        &[(".s.json.cbec-sim-partial", "half")],
        &["merge", ".s.json.cbec-sim-partial"],
        2,
        &[".s.json.cbec-sim-partial: shard: "],
    ),
    case(
        7,
        "a row count that does not match the range",
        &[(
            "r.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":3,\"kpis\":[\"a\"],\"rows\":[[1.0]],\"time_in_system\":[]"
            ),
        )],
        &["merge", "r.json"],
        2,
        &["r.json: shard 0..3: holds 1 rows for 3 replications"],
    ),
    case(
        7,
        "a range with start after end",
        &[(
            "r.json",
            shard!(
                1,
                1,
                "\"start\":5,\"end\":2,\"kpis\":[\"a\"],\"rows\":[],\"time_in_system\":[]"
            ),
        )],
        &["merge", "r.json"],
        2,
        &["r.json: shard 5..2: the range is empty or reversed"],
    ),
    case(
        7,
        "an empty range",
        &[(
            "r.json",
            shard!(
                1,
                1,
                "\"start\":2,\"end\":2,\"kpis\":[\"a\"],\"rows\":[],\"time_in_system\":[]"
            ),
        )],
        &["merge", "r.json"],
        2,
        &["the range is empty or reversed"],
    ),
    case(
        7,
        "another crate version",
        &[(
            "v.json",
            "{\"format_version\":2,\"crate_version\":\"0.0.1\",\"model_fingerprint\":1,\"seed\":1,\"start\":0,\"end\":1,\"kpis\":[\"a\"],\"rows\":[[1.0]],\"time_in_system\":[]}",
        )],
        &["merge", "v.json"],
        2,
        &["v.json: shard 0..1: was written by cbec-sim 0.0.1"],
    ),
    case(
        7,
        "another format version",
        &[(
            "f.json",
            "{\"format_version\":1,\"crate_version\":\"0.1.0\",\"model_fingerprint\":1,\"seed\":1,\"start\":0,\"end\":1,\"kpis\":[\"a\"],\"rows\":[[1.0]],\"time_in_system\":[]}",
        )],
        &["merge", "f.json"],
        2,
        &["f.json: shard: format version 1 cannot be read by this version (expects 2)"],
    ),
    case(
        7,
        "histogram counts that overflow in one shard",
        &[(
            "h.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":1,\"kpis\":[\"a\"],\"rows\":[[1.0]],\"time_in_system\":[[1000,18446744073709551615],[2000,1]]"
            ),
        )],
        &["merge", "h.json"],
        2,
        &["h.json: shard: histogram counts overflow"],
    ),
    case(
        7,
        "histogram counts that overflow across shards",
        &[
            (
                "a.json",
                shard!(
                    1,
                    1,
                    "\"start\":0,\"end\":1,\"kpis\":[\"a\"],\"rows\":[[1.0]],\"time_in_system\":[[1000,18446744073709551615]]"
                ),
            ),
            (
                "b.json",
                shard!(
                    1,
                    1,
                    "\"start\":1,\"end\":2,\"kpis\":[\"a\"],\"rows\":[[1.0]],\"time_in_system\":[[1000,1]]"
                ),
            ),
        ],
        &["merge", "a.json", "b.json"],
        2,
        &["b.json: shard 1..2: its order counts overflow the pooled histogram"],
    ),
    case(
        7,
        "a KPI listed twice",
        &[(
            "k.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":1,\"kpis\":[\"a\",\"a\"],\"rows\":[[1.0,2.0]],\"time_in_system\":[]"
            ),
        )],
        &["merge", "k.json"],
        2,
        &["k.json: shard 0..1: lists the KPI \"a\" twice"],
    ),
    case(
        7,
        "an unknown field",
        &[(
            "u.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":1,\"kpis\":[\"a\"],\"rows\":[[1.0]],\"time_in_system\":[],\"extra\":1"
            ),
        )],
        &["merge", "u.json"],
        2,
        &["u.json: shard: unknown field `extra`"],
    ),
    case(
        7,
        "a missing field",
        &[(
            "m.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":1,\"kpis\":[\"a\"],\"time_in_system\":[]"
            ),
        )],
        &["merge", "m.json"],
        2,
        &["m.json: shard: missing field `rows`"],
    ),
    case(
        7,
        "shards of different seeds",
        &[
            (
                "a.json",
                shard!(
                    1,
                    1,
                    "\"start\":0,\"end\":1,\"kpis\":[\"a\"],\"rows\":[[1.0]],\"time_in_system\":[]"
                ),
            ),
            (
                "b.json",
                shard!(
                    1,
                    2,
                    "\"start\":1,\"end\":2,\"kpis\":[\"a\"],\"rows\":[[1.0]],\"time_in_system\":[]"
                ),
            ),
        ],
        &["merge", "a.json", "b.json"],
        2,
        &["b.json: shard 1..2: has seed 2, the others 1"],
    ),
    case(
        7,
        "overlapping shards",
        &[
            (
                "a.json",
                shard!(
                    1,
                    1,
                    "\"start\":0,\"end\":2,\"kpis\":[\"a\"],\"rows\":[[1.0],[2.0]],\"time_in_system\":[]"
                ),
            ),
            (
                "b.json",
                shard!(
                    1,
                    1,
                    "\"start\":1,\"end\":3,\"kpis\":[\"a\"],\"rows\":[[1.0],[2.0]],\"time_in_system\":[]"
                ),
            ),
        ],
        &["merge", "a.json", "b.json"],
        2,
        &["b.json: shard 1..3: overlaps replications 0..2"],
    ),
    case(
        7,
        "a gap between shards",
        &[
            (
                "a.json",
                shard!(
                    1,
                    1,
                    "\"start\":0,\"end\":1,\"kpis\":[\"a\"],\"rows\":[[1.0]],\"time_in_system\":[]"
                ),
            ),
            (
                "b.json",
                shard!(
                    1,
                    1,
                    "\"start\":2,\"end\":3,\"kpis\":[\"a\"],\"rows\":[[1.0]],\"time_in_system\":[]"
                ),
            ),
        ],
        &["merge", "a.json", "b.json"],
        2,
        &["b.json: shard 2..3: leaves a gap after replications 0..1"],
    ),
    case(
        7,
        "shards of different models",
        &[
            (
                "a.json",
                shard!(
                    1,
                    1,
                    "\"start\":0,\"end\":1,\"kpis\":[\"a\"],\"rows\":[[1.0]],\"time_in_system\":[]"
                ),
            ),
            (
                "b.json",
                shard!(
                    2,
                    1,
                    "\"start\":1,\"end\":2,\"kpis\":[\"a\"],\"rows\":[[1.0]],\"time_in_system\":[]"
                ),
            ),
        ],
        &["merge", "a.json", "b.json"],
        2,
        &["b.json: shard 1..2: comes from a different scenario"],
    ),
    case(
        7,
        "shards with different KPI lists",
        &[
            (
                "a.json",
                shard!(
                    1,
                    1,
                    "\"start\":0,\"end\":1,\"kpis\":[\"a\"],\"rows\":[[1.0]],\"time_in_system\":[]"
                ),
            ),
            (
                "b.json",
                shard!(
                    1,
                    1,
                    "\"start\":1,\"end\":2,\"kpis\":[\"b\"],\"rows\":[[1.0]],\"time_in_system\":[]"
                ),
            ),
        ],
        &["merge", "a.json", "b.json"],
        2,
        &["b.json: shard 1..2: lists different KPIs"],
    ),
    printing(
        case(
            7,
            "two shards that fit merge",
            &[
                (
                    "a.json",
                    shard!(
                        1,
                        1,
                        "\"start\":0,\"end\":1,\"kpis\":[\"a\"],\"rows\":[[1.0]],\"time_in_system\":[[1000,2]]"
                    ),
                ),
                (
                    "b.json",
                    shard!(
                        1,
                        1,
                        "\"start\":1,\"end\":2,\"kpis\":[\"a\"],\"rows\":[[3.0]],\"time_in_system\":[[1000,1]]"
                    ),
                ),
            ],
            &["merge", "b.json", "a.json", "--json"],
            0,
            &[],
        ),
        &[],
    ),
    case(
        7,
        "a folder as a shard",
        &[("adir/", "")],
        &["merge", "adir"],
        2,
        &["adir: shard: is not a regular file"],
    ),
    case(
        7,
        "a character device as a shard (/dev/zero)",
        &[],
        &["merge", "/dev/zero"],
        2,
        &["/dev/zero: shard: is not a regular file"],
    ),
    case(
        7,
        "a non-finite value cannot be written in JSON",
        &[(
            "n.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":1,\"kpis\":[\"a\"],\"rows\":[[NaN]],\"time_in_system\":[]"
            ),
        )],
        &["merge", "n.json"],
        2,
        &["n.json: shard: "],
    ),
    case(
        9,
        "--seed -1",
        &[("s.toml", "{base}")],
        &["run", "s.toml", "--seed", "-1"],
        2,
        &[
            "--seed",
            "must be a whole number from 0 to 18446744073709551615, got -1",
        ],
    ),
    case(
        9,
        "--seed beyond u64",
        &[("s.toml", "{base}")],
        &["run", "s.toml", "--seed", "18446744073709551616"],
        2,
        &[
            "--seed",
            "must be a whole number from 0 to 18446744073709551615, got 18446744073709551616",
        ],
    ),
    case(
        9,
        "--seed in compare",
        &[("s.toml", "{base}")],
        &["compare", "s.toml", "--variant", "s.toml", "--seed", "-5"],
        2,
        &["--seed", "got -5"],
    ),
    case(
        9,
        "-n -3",
        &[("s.toml", "{base}")],
        &["run", "s.toml", "-n", "-3"],
        2,
        &["--replications", "got -3"],
    ),
    case(
        9,
        "-n 0",
        &[("s.toml", "{base}")],
        &["run", "s.toml", "-n", "0"],
        2,
        &["--replications: must be at least 1, got 0"],
    ),
    case(
        9,
        "--threads 0",
        &[("s.toml", "{base}")],
        &["run", "s.toml", "--threads", "0"],
        2,
        &["--threads", "must be a whole number of threads from 1"],
    ),
    case(
        9,
        "--threads -2",
        &[("s.toml", "{base}")],
        &[
            "sweep",
            "s.toml",
            "--param",
            "stations.review.servers",
            "--values",
            "3",
            "--threads",
            "-2",
        ],
        2,
        &["--threads", "got -2"],
    ),
    case(
        9,
        "--max-replications 0 names the flag",
        &[("s.toml", "{base}")],
        &[
            "run",
            "s.toml",
            "--precision",
            "review.wait_mean_min=0.1",
            "--max-replications",
            "0",
        ],
        2,
        &["--max-replications: must be at least 2"],
    ),
    case(
        9,
        "--max-replications -1",
        &[("s.toml", "{base}")],
        &[
            "run",
            "s.toml",
            "--precision",
            "review.wait_mean_min=0.1",
            "--max-replications",
            "-1",
        ],
        2,
        &["--max-replications", "got -1"],
    ),
    case(
        9,
        "--warmup 100 on a 48 h scenario names --warmup and hours",
        &[("s.toml", "{base}")],
        &["run", "s.toml", "--warmup", "100"],
        2,
        &["--warmup: must be shorter than the scenario's horizon of 48 h, got 100 h"],
    ),
    case(
        9,
        "--warmup 1e300 is printed short",
        &[("s.toml", "{base}")],
        &["run", "s.toml", "--warmup", "1e300"],
        2,
        &["got 1e300 h"],
    ),
    case(
        9,
        "--warmup -1",
        &[("s.toml", "{base}")],
        &["run", "s.toml", "--warmup", "-1"],
        2,
        &["--warmup: must be a number of hours from 0, or \"auto\", got \"-1\""],
    ),
    case(
        9,
        "--warmup NaN",
        &[("s.toml", "{base}")],
        &["run", "s.toml", "--warmup", "NaN"],
        2,
        &["--warmup: must be a number of hours"],
    ),
    case(
        9,
        "--warmup inf",
        &[("s.toml", "{base}")],
        &["run", "s.toml", "--warmup", "inf"],
        2,
        &["--warmup: must be a number of hours"],
    ),
    case(
        9,
        "a long --warmup value is quoted as an excerpt",
        &[("s.toml", "{base}")],
        &[
            "run",
            "s.toml",
            "--warmup",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        ],
        2,
        &["got \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\""],
    ),
    case(
        9,
        "--shard overflowing u64 is an input error, not an interruption",
        &[("s.toml", "{base}")],
        &[
            "run",
            "s.toml",
            "--shard",
            "0..18446744073709551616",
            "--out",
            "s.json",
        ],
        2,
        &[
            "--shard: must be A..B with A < B, A and B whole numbers from 0 to 18446744073709551615, got \"0..18446744073709551616\"",
        ],
    ),
    case(
        9,
        "--shard reversed",
        &[("s.toml", "{base}")],
        &["run", "s.toml", "--shard", "5..2", "--out", "s.json"],
        2,
        &["--shard: must be A..B with A < B, A below B, got \"5..2\""],
    ),
    case(
        9,
        "--shard without ..",
        &[("s.toml", "{base}")],
        &["run", "s.toml", "--shard", "7", "--out", "s.json"],
        2,
        &["--shard: must be A..B"],
    ),
    case(
        9,
        "--precision with an unknown KPI is refused before the run",
        &[("s.toml", "{base}")],
        &["run", "s.toml", "--precision", "nokpi=0.1"],
        2,
        &["--precision: unknown KPI \"nokpi\""],
    ),
    case(
        9,
        "--precision with a misspelt KPI: did you mean",
        &[("s.toml", "{base}")],
        &["run", "s.toml", "--precision", "review.wiat_mean_min=0.1"],
        2,
        &[
            "--precision: unknown KPI \"review.wiat_mean_min\"; did you mean \"review.wait_mean_min\"?",
        ],
    ),
    case(
        9,
        "--precision REL 0",
        &[("s.toml", "{base}")],
        &["run", "s.toml", "--precision", "review.wait_mean_min=0"],
        2,
        &["--precision: REL must be a number above 0 (0.05 for ±5%), got \"0\""],
    ),
    case(
        9,
        "--precision REL negative",
        &[("s.toml", "{base}")],
        &["run", "s.toml", "--precision", "review.wait_mean_min=-0.1"],
        2,
        &["--precision: REL must be a number above 0"],
    ),
    case(
        9,
        "--precision REL inf",
        &[("s.toml", "{base}")],
        &["run", "s.toml", "--precision", "review.wait_mean_min=inf"],
        2,
        &["--precision: REL must be a number above 0"],
    ),
    case(
        9,
        "--precision without =",
        &[("s.toml", "{base}")],
        &["run", "s.toml", "--precision", "review"],
        2,
        &["--precision: must be KPI=REL"],
    ),
    printing(
        case(
            9,
            "--precision works when right",
            &[("s.toml", "{base}")],
            &[
                "run",
                "s.toml",
                "--precision",
                "review.wait_mean_min=0.5",
                "--max-replications",
                "4",
                "-q",
            ],
            0,
            &[],
        ),
        &[],
    ),
    case(
        9,
        "compare --kpi misspelt is refused before the run",
        &[("s.toml", "{base}")],
        &[
            "compare",
            "s.toml",
            "--variant",
            "s.toml",
            "--kpi",
            "review.wiat_mean_min",
        ],
        2,
        &["--kpi: unknown KPI \"review.wiat_mean_min\"; did you mean \"review.wait_mean_min\"?"],
    ),
    case(
        9,
        "sweep --kpi misspelt is refused before the run",
        &[("s.toml", "{base}")],
        &[
            "sweep",
            "s.toml",
            "--param",
            "stations.review.servers",
            "--values",
            "3,4",
            "--kpi",
            "review.wiat_mean_min",
        ],
        2,
        &["--kpi: unknown KPI \"review.wiat_mean_min\"; did you mean"],
    ),
    case(
        9,
        "sweep --target on a misspelt KPI",
        &[("s.toml", "{base}")],
        &[
            "sweep",
            "s.toml",
            "--param",
            "stations.review.servers",
            "--values",
            "3,4",
            "--target",
            "review.wiat_mean_min<=5",
        ],
        2,
        &["--target: unknown KPI \"review.wiat_mean_min\""],
    ),
    case(
        9,
        "sweep --values 1e300 is printed short",
        &[("s.toml", "{base}")],
        &[
            "sweep",
            "s.toml",
            "--param",
            "stations.review.servers",
            "--values",
            "1e300",
        ],
        2,
        &["--param stations.review.servers = 1e300: "],
    ),
    case(
        9,
        "factorial --kpi misspelt is refused before the run",
        &[("s.toml", "{base}")],
        &[
            "factorial",
            "s.toml",
            "--measure",
            "a",
            "--measure",
            "b",
            "--kpi",
            "review.wiat_mean_min",
        ],
        2,
        &["--kpi: unknown KPI \"review.wiat_mean_min\""],
    ),
    case(
        9,
        "factorial -n 0 names --replications",
        &[("s.toml", "{base}")],
        &[
            "factorial",
            "s.toml",
            "--measure",
            "a",
            "--measure",
            "b",
            "-n",
            "0",
        ],
        2,
        &["--replications: must be at least 1, got 0"],
    ),
    case(
        9,
        "compare -n 0 names --replications",
        &[("s.toml", "{base}")],
        &["compare", "s.toml", "--variant", "s.toml", "-n", "0"],
        2,
        &["--replications: must be at least 1, got 0"],
    ),
    case(
        9,
        "sweep --range with too many values says the bound",
        &[("s.toml", "{base}")],
        &[
            "sweep",
            "s.toml",
            "--param",
            "stations.review.servers",
            "--range",
            "1..1e300:1",
        ],
        2,
        &["at most 10,000 values, got \"1..1e300:1\""],
    ),
    case(
        9,
        "sweep --range with a long text is quoted short",
        &[("s.toml", "{base}")],
        &[
            "sweep",
            "s.toml",
            "--param",
            "stations.review.servers",
            "--range",
            "99999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999",
        ],
        2,
        &["got \"9999999999999999999999999999999999999999...\""],
    ),
    case(
        9,
        "run --measure misspelt names --measure",
        &[("s.toml", "{base}")],
        &["run", "s.toml", "--measure", "nope"],
        2,
        &["--measure: unknown measure \"nope\""],
    ),
    case(
        9,
        "compare --measure misspelt names --measure",
        &[("s.toml", "{base}")],
        &["compare", "s.toml", "--measure", "nope", "-n", "2"],
        2,
        &["--measure: unknown measure \"nope\""],
    ),
];

const COUNT: usize = 97;

#[test]
fn hostile_outputs_and_merges() {
    run_table("outputs", &CASES);
}

/// A fresh folder holding the base scenario as `s.toml`.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cbec-sim-out-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("s.toml"), BASE).unwrap();
    dir
}

fn cbec(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// Run as the CI user (root there): a FIFO and a character device given
/// as outputs are written to and stay what they are.
#[cfg(unix)]
#[test]
fn a_fifo_or_a_device_as_output_is_written_to_not_replaced() {
    use std::io::Read;
    use std::os::unix::fs::FileTypeExt;
    let dir = folder("fifo");
    let fifo = dir.join("pipe");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    // A reader for the FIFO: the report arrives through it.
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            std::fs::File::open(fifo)
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
            text
        })
    };
    let out = cbec(
        &dir,
        &["run", "s.toml", "-n", "2", "-q", "--report", "pipe"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = reader.join().unwrap();
    assert!(
        html.contains("<html") || html.contains("<!DOCTYPE"),
        "{}",
        &html[..html.len().min(200)]
    );
    assert!(
        std::fs::metadata(&fifo).unwrap().file_type().is_fifo(),
        "the FIFO was replaced"
    );
    // /dev/null takes the report and stays a character device; /dev/full
    // refuses it with its own error, exit 1, and stays one too.
    for (device, code) in [("/dev/null", 0), ("/dev/full", 1)] {
        let out = cbec(
            &dir,
            &[
                "run", "s.toml", "-n", "2", "-q", "--report", device, "--csv", "out",
            ],
        );
        assert_eq!(
            out.status.code(),
            Some(code),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let meta = std::fs::metadata(device).unwrap();
        assert!(meta.file_type().is_char_device(), "{device} was replaced");
        assert!(!out.stdout.is_empty(), "the table is printed");
    }
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("cbec-sim-partial"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// stdout on a full device is an output error (exit 1), not a panic.
#[cfg(unix)]
#[test]
fn stdout_on_a_full_device_is_exit_1_not_a_panic() {
    let dir = folder("stdout");
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = Command::new(BIN)
        .args(["run", "s.toml", "-n", "2", "-q"])
        .current_dir(&dir)
        .stdout(Stdio::from(full))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("cannot write to stdout: No space left on device"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A partial merge's CSV files begin with the marker; the JSON says
/// `"partial": true` and lists the missing replications.
#[test]
fn a_partial_merge_is_marked_in_json_and_csv() {
    let dir = folder("marker");
    std::fs::write(
        dir.join("p.json"),
        shard!(1, 1, "\"start\":0,\"end\":3,\"missing\":[[1,2]],\"kpis\":[\"a\"],\"rows\":[[1.0],[3.0]],\"time_in_system\":[]"),
    )
    .unwrap();
    let out = cbec(&dir, &["merge", "p.json", "--json", "--csv", "out"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["partial"], true);
    assert_eq!(doc["missing"], serde_json::json!([[1, 2]]));
    assert_eq!(doc["kpis"][0]["n"], 2);
    for file in ["summary.csv", "replications.csv"] {
        let text = std::fs::read_to_string(dir.join("out").join(file)).unwrap();
        assert!(
            text.starts_with(cbec_sim::report::csv::PARTIAL_MARKER),
            "{file}: {text}"
        );
    }
    let rows = std::fs::read_to_string(dir.join("out/replications.csv")).unwrap();
    let indices: Vec<&str> = rows
        .lines()
        .skip(2)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(indices, ["0", "2"], "rows carry their replication index");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A shard file over the documented size is refused before it is read
/// (a sparse file: no disk used).
#[test]
fn an_oversized_shard_file_is_refused_unread() {
    let dir = folder("huge");
    let f = std::fs::File::create(dir.join("huge.json")).unwrap();
    f.set_len(cbec_sim::experiment::MAX_SHARD_FILE_BYTES + 1)
        .unwrap();
    let out = cbec(&dir, &["merge", "huge.json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("huge.json: shard: is larger than 256 MiB"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Shards of runs replaying order logs with different contents (same file
/// name, same scenario text) do not merge: the fingerprint covers the rows.
#[test]
fn shards_of_different_order_logs_do_not_merge() {
    let dir = folder("logs");
    let scenario = "simulation = { horizon_h = 24, start = \"2024-11-11T00:00\" }\nsources.log = { replay_csv = \"log.csv\", to = \"desk\" }\nstations.desk = { servers = 1, service_time_min = { dist = \"exponential\", mean = 1 }, to = \"done\" }\nsinks.done = {}\n";
    std::fs::write(dir.join("r.toml"), scenario).unwrap();
    let fingerprint = |log: &str| {
        std::fs::write(dir.join("log.csv"), log).unwrap();
        let model = cbec_sim::Scenario::from_path(dir.join("r.toml"))
            .unwrap()
            .build()
            .unwrap();
        cbec_sim::experiment::model_fingerprint(&model)
    };
    let a = "time\n2024-11-11T00:00:05\n2024-11-11T01:00:00\n";
    let b = "time\n2024-11-11T00:00:05\n2024-11-11T02:00:00\n";
    assert_ne!(fingerprint(a), fingerprint(b));
    assert_eq!(fingerprint(a), fingerprint(a));
    for (log, range, file) in [(a, "0..2", "a.json"), (b, "2..4", "b.json")] {
        std::fs::write(dir.join("log.csv"), log).unwrap();
        let out = cbec(
            &dir,
            &["run", "r.toml", "--shard", range, "--out", file, "-q"],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = cbec(&dir, &["merge", "a.json", "b.json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("b.json: shard 2..4: comes from a different scenario"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A temporary file left by a killed run (SIGKILL mid-write) is named so a
/// user can tell it apart, and the next run writing the same target
/// removes it, even one that fails after the check.
#[test]
fn stale_temporary_files_are_removed_by_the_next_run() {
    let dir = folder("stale");
    std::fs::create_dir_all(dir.join("out")).unwrap();
    let stale = [
        ".s.json.cbec-sim-partial",
        ".r.html.cbec-sim-partial",
        "out/.summary.csv.cbec-sim-partial",
    ];
    for f in stale {
        std::fs::write(dir.join(f), "half a file").unwrap();
    }
    let args = [
        "run", "s.toml", "--shard", "0..2", "--out", "s.json", "--report", "r.html", "--csv",
        "out", "-q",
    ];
    let out = cbec(&dir, &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in stale {
        assert!(!dir.join(f).exists(), "{f} is still there");
    }
    // A run that stops at a later input error still removes the stale
    // file of its output, found by the check before the run.
    std::fs::write(dir.join(stale[0]), "half a file").unwrap();
    let out = cbec(
        &dir,
        &[
            "run", "s.toml", "--shard", "0..2", "--out", "s.json", "--warmup", "99",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.join(stale[0]).exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A small in-process fuzz of the shard reader (the `fuzz/` target's body
/// without libFuzzer): thousands of one-byte edits of a real shard file
/// each give a shard that merges and estimates, or an error; never a panic.
#[test]
fn edited_shard_files_never_panic() {
    use cbec_sim::experiment::{Experiment, Replications, ShardResult};
    let model = cbec_sim::presets::tandem()
        .with_horizon(cbec_sim::SimTime::from_hours(5.0))
        .build()
        .unwrap();
    let shard = Experiment::new(&model)
        .with_replications(Replications::first(2))
        .run()
        .unwrap()
        .shard;
    let json = shard.to_json().unwrap().into_bytes();
    let bytes: &[u8] = b"0123456789-.,:[]{}\"eEnul ";
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    for _ in 0..3000 {
        let mut edited = json.clone();
        let at = next(edited.len());
        match next(3) {
            0 => edited[at] = bytes[next(bytes.len())],
            1 => drop(edited.remove(at)),
            _ => edited.insert(at, bytes[next(bytes.len())]),
        }
        let Ok(text) = String::from_utf8(edited) else {
            continue;
        };
        if let Ok(s) = ShardResult::from_json(&text) {
            let _ = s.estimates();
            if let Ok(m) = ShardResult::merge(vec![s.clone(), s]) {
                let _ = m.estimates();
            }
        }
    }
}

/// A terse shard file under the size bound but with more values than
/// reading may allocate for is refused before it is parsed.
#[test]
fn a_shard_file_with_too_many_values_is_refused_unparsed() {
    let dir = folder("terse");
    let items = cbec_sim::experiment::MAX_SHARD_ITEMS + 1;
    let text = format!("[{}0]", "0,".repeat(items));
    std::fs::write(dir.join("terse.json"), text).unwrap();
    let out = cbec(&dir, &["merge", "terse.json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("terse.json: shard: holds more than 8388608 values"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
