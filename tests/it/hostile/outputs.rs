//! The hostile table's rows for outputs and merges (families 1, 3, 6, 7
//! and 9 of issue 12): output targets checked before the run and never
//! replaced when they are not regular files, no panic on a broken shard,
//! partial shards, every inconsistent shard refused naming its file, and
//! command-line messages that name the user's flag, value and unit. Cases
//! that need more than one command or a special file follow the table.

use super::{BASE, Case, Stdout, run_table};
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

const CASES: [Case; COUNT] = [
    Case {
        what: "--out on an existing folder is refused before the run, no adir.partial",
        family: 1,
        files: &[("s.toml", "{base}"), ("adir/", "")],
        args: &["run", "s.toml", "--shard", "0..2", "--out", "adir", "-q"],
        code: 1,
        stderr: &["--out adir: is a folder; give a file name"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--report on an existing folder",
        family: 1,
        files: &[("s.toml", "{base}"), ("adir/", "")],
        args: &["run", "s.toml", "-n", "2", "-q", "--report", "adir"],
        code: 1,
        stderr: &["--report adir: is a folder; give a file name"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--csv on an existing file",
        family: 1,
        files: &[("s.toml", "{base}"), ("file.txt", "x")],
        args: &["run", "s.toml", "-n", "2", "-q", "--csv", "file.txt"],
        code: 1,
        stderr: &["--csv file.txt: exists and is not a folder"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--plot on an existing file",
        family: 1,
        files: &[("s.toml", "{base}"), ("file.txt", "x")],
        args: &["run", "s.toml", "-n", "2", "-q", "--plot", "file.txt"],
        code: 1,
        stderr: &["--plot file.txt: exists and is not a folder"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--plot on a character device",
        family: 1,
        files: &[("s.toml", "{base}")],
        args: &["run", "s.toml", "-n", "2", "-q", "--plot", "/dev/null"],
        code: 1,
        stderr: &["--plot /dev/null: exists and is not a folder"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--report in a folder that does not exist",
        family: 1,
        files: &[("s.toml", "{base}")],
        args: &[
            "run",
            "s.toml",
            "-n",
            "2",
            "-q",
            "--report",
            "missing/r.html",
        ],
        code: 1,
        stderr: &["--report missing/r.html: the folder missing does not exist"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--out in a folder that does not exist",
        family: 1,
        files: &[("s.toml", "{base}")],
        args: &[
            "run",
            "s.toml",
            "--shard",
            "0..1",
            "--out",
            "missing/s.json",
            "-q",
        ],
        code: 1,
        stderr: &["--out missing/s.json: the folder missing does not exist"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--report with a trailing slash",
        family: 1,
        files: &[("s.toml", "{base}")],
        args: &["run", "s.toml", "-n", "2", "-q", "--report", "r.html/"],
        code: 1,
        stderr: &["--report r.html/: names a folder; give a file name"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--report with an empty path is refused by the parser",
        family: 1,
        files: &[("s.toml", "{base}")],
        args: &["run", "s.toml", "-n", "2", "-q", "--report", ""],
        code: 2,
        stderr: &["a value is required for '--report"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--csv with an empty path",
        family: 1,
        files: &[("s.toml", "{base}")],
        args: &["run", "s.toml", "-n", "2", "-q", "--csv", ""],
        code: 2,
        stderr: &["a value is required for '--csv"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--report under a regular file",
        family: 1,
        files: &[("s.toml", "{base}"), ("file.txt", "x")],
        args: &[
            "run",
            "s.toml",
            "-n",
            "2",
            "-q",
            "--report",
            "file.txt/r.html",
        ],
        code: 1,
        stderr: &["--report file.txt/r.html: "],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--report over a file in a folder no one may write (/proc)",
        family: 1,
        files: &[("s.toml", "{base}")],
        args: &[
            "run",
            "s.toml",
            "-n",
            "2",
            "-q",
            "--report",
            "/proc/version",
        ],
        code: 1,
        stderr: &["--report /proc/version: cannot write in its folder"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--csv in a folder no one may write (/proc)",
        family: 1,
        files: &[("s.toml", "{base}")],
        args: &[
            "run",
            "s.toml",
            "-n",
            "2",
            "-q",
            "--csv",
            "/proc/cbec-sim-csv",
        ],
        code: 1,
        stderr: &["--csv /proc/cbec-sim-csv: cannot write in /proc"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--plot on /proc itself",
        family: 1,
        files: &[("s.toml", "{base}")],
        args: &["run", "s.toml", "-n", "2", "-q", "--plot", "/proc"],
        code: 1,
        stderr: &["--plot /proc: cannot write in this folder"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "compare checks --report before running",
        family: 1,
        files: &[("s.toml", "{base}"), ("adir/", "")],
        args: &[
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
        code: 1,
        stderr: &["--report adir: is a folder"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "sweep checks --csv before running",
        family: 1,
        files: &[("s.toml", "{base}"), ("file.txt", "x")],
        args: &[
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
        code: 1,
        stderr: &["--csv file.txt: exists and is not a folder"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "factorial checks --plot before running",
        family: 1,
        files: &[("s.toml", "{base}"), ("file.txt", "x")],
        args: &[
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
        code: 1,
        stderr: &["--plot file.txt: exists and is not a folder"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "merge checks --csv before reading shards",
        family: 1,
        files: &[("file.txt", "x"), ("a.json", "{}")],
        args: &["merge", "a.json", "--csv", "file.txt"],
        code: 1,
        stderr: &["--csv file.txt: exists and is not a folder"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--report /dev/full: the table is still printed, then exit 1",
        family: 1,
        files: &[("s.toml", "{base}")],
        args: &["run", "s.toml", "-n", "2", "-q", "--report", "/dev/full"],
        code: 1,
        stderr: &["/dev/full: No space left on device"],
        stdout: Stdout::Any,
        leaves: &[],
    },
    Case {
        what: "--report /dev/full with --json",
        family: 1,
        files: &[("s.toml", "{base}")],
        args: &[
            "run",
            "s.toml",
            "-n",
            "2",
            "-q",
            "--report",
            "/dev/full",
            "--json",
        ],
        code: 1,
        stderr: &["/dev/full: No space left on device"],
        stdout: Stdout::Any,
        leaves: &[],
    },
    Case {
        what: "--out /dev/full",
        family: 1,
        files: &[("s.toml", "{base}")],
        args: &[
            "run",
            "s.toml",
            "--shard",
            "0..2",
            "--out",
            "/dev/full",
            "-q",
        ],
        code: 1,
        stderr: &["/dev/full: No space left on device"],
        stdout: Stdout::Any,
        leaves: &[],
    },
    Case {
        what: "--report /dev/null is written to, not replaced",
        family: 1,
        files: &[("s.toml", "{base}")],
        args: &["run", "s.toml", "-n", "2", "-q", "--report", "/dev/null"],
        code: 0,
        stderr: &[],
        stdout: Stdout::Any,
        leaves: &[],
    },
    Case {
        what: "--out /dev/null",
        family: 1,
        files: &[("s.toml", "{base}")],
        args: &[
            "run",
            "s.toml",
            "--shard",
            "0..2",
            "--out",
            "/dev/null",
            "-q",
        ],
        code: 0,
        stderr: &[],
        stdout: Stdout::Any,
        leaves: &[],
    },
    Case {
        what: "the CSV files are written although the report fails",
        family: 1,
        files: &[("s.toml", "{base}")],
        args: &[
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
        code: 1,
        stderr: &["/dev/full"],
        stdout: Stdout::Any,
        leaves: &["out"],
    },
    Case {
        what: "an existing report is replaced whole, no temporary file left",
        family: 1,
        files: &[("s.toml", "{base}"), ("r.html", "old")],
        args: &["run", "s.toml", "-n", "2", "-q", "--report", "r.html"],
        code: 0,
        stderr: &[],
        stdout: Stdout::Any,
        leaves: &[],
    },
    Case {
        what: "a stale temporary file of the target is removed",
        family: 1,
        files: &[
            ("s.toml", "{base}"),
            ("r.html", "old"),
            (".r.html.cbec-sim-partial", "stale"),
        ],
        args: &["run", "s.toml", "-n", "2", "-q", "--report", "r.html"],
        code: 0,
        stderr: &[],
        stdout: Stdout::Any,
        leaves: &[],
    },
    Case {
        what: "a new nested --csv folder is created",
        family: 1,
        files: &[("s.toml", "{base}")],
        args: &["run", "s.toml", "-n", "2", "-q", "--csv", "new/deeper"],
        code: 0,
        stderr: &[],
        stdout: Stdout::Any,
        leaves: &["new"],
    },
    Case {
        what: "--out and --csv in one run",
        family: 1,
        files: &[("s.toml", "{base}")],
        args: &[
            "run", "s.toml", "--shard", "0..2", "--out", "s.json", "--csv", "out", "-q",
        ],
        code: 0,
        stderr: &[],
        stdout: Stdout::Any,
        leaves: &["s.json", "out"],
    },
    Case {
        what: "merge of a row shorter than its KPI list",
        family: 3,
        files: &[(
            "short.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":1,\"kpis\":[\"a\",\"b\"],\"rows\":[[1.0]],\"time_in_system\":[]"
            ),
        )],
        args: &["merge", "short.json"],
        code: 2,
        stderr: &["short.json: shard 0..1: the row of replication 0 holds 1 values for 2 KPIs"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "merge of a row longer than its KPI list",
        family: 3,
        files: &[(
            "long.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":1,\"kpis\":[\"a\"],\"rows\":[[1.0,2.0]],\"time_in_system\":[]"
            ),
        )],
        args: &["merge", "long.json"],
        code: 2,
        stderr: &["long.json: shard 0..1: the row of replication 0 holds 2 values for 1 KPIs"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "merge of an empty file",
        family: 3,
        files: &[("empty.json", "")],
        args: &["merge", "empty.json"],
        code: 2,
        stderr: &["empty.json: shard: EOF while parsing"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "merge of a JSON array",
        family: 3,
        files: &[("arr.json", "[]")],
        args: &["merge", "arr.json"],
        code: 2,
        stderr: &["arr.json: shard: "],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "merge of a shard with a value that is not a number",
        family: 3,
        files: &[(
            "t.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":1,\"kpis\":[\"a\"],\"rows\":[[\"x\"]],\"time_in_system\":[]"
            ),
        )],
        args: &["merge", "t.json"],
        code: 2,
        stderr: &["t.json: shard: "],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "merge of a value out of the f64 range",
        family: 3,
        files: &[(
            "big.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":1,\"kpis\":[\"a\"],\"rows\":[[1e400]],\"time_in_system\":[]"
            ),
        )],
        args: &["merge", "big.json"],
        code: 2,
        stderr: &["big.json: shard: "],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "merge of a histogram value beyond its range",
        family: 3,
        files: &[(
            "h.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":1,\"kpis\":[\"a\"],\"rows\":[[1.0]],\"time_in_system\":[[18446744073709551615,1]]"
            ),
        )],
        args: &["merge", "h.json"],
        code: 2,
        stderr: &["h.json: shard: ", "histogram bucket"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "merge of a file that does not exist",
        family: 3,
        files: &[],
        args: &["merge", "nothere.json"],
        code: 2,
        stderr: &["nothere.json"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "a shard with missing replications merges, marked partial",
        family: 6,
        files: &[(
            "p.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":3,\"missing\":[[1,2]],\"kpis\":[\"a\"],\"rows\":[[1.0],[3.0]],\"time_in_system\":[]"
            ),
        )],
        args: &["merge", "p.json", "--json"],
        code: 0,
        stderr: &["warning: 1 of replications 0..3 are missing"],
        stdout: Stdout::Any,
        leaves: &[],
    },
    Case {
        what: "a partial shard's CSV files are written, marked",
        family: 6,
        files: &[(
            "p.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":3,\"missing\":[[1,2]],\"kpis\":[\"a\"],\"rows\":[[1.0],[3.0]],\"time_in_system\":[]"
            ),
        )],
        args: &["merge", "p.json", "--csv", "out"],
        code: 0,
        stderr: &["marked partial"],
        stdout: Stdout::Any,
        leaves: &["out"],
    },
    Case {
        what: "a missing range that touches the start",
        family: 6,
        files: &[(
            "p.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":3,\"missing\":[[0,1]],\"kpis\":[\"a\"],\"rows\":[[1.0],[3.0]],\"time_in_system\":[]"
            ),
        )],
        args: &["merge", "p.json"],
        code: 2,
        stderr: &[
            "p.json: shard 0..3: missing range 0..1 is not sorted, empty, or not strictly inside the range",
        ],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "missing ranges out of order",
        family: 6,
        files: &[(
            "p.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":9,\"missing\":[[5,6],[2,3]],\"kpis\":[\"a\"],\"rows\":[[1],[1],[1],[1],[1],[1],[1]],\"time_in_system\":[]"
            ),
        )],
        args: &["merge", "p.json"],
        code: 2,
        stderr: &["missing range 2..3"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "an empty missing range",
        family: 6,
        files: &[(
            "p.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":3,\"missing\":[[1,1]],\"kpis\":[\"a\"],\"rows\":[[1],[1],[1]],\"time_in_system\":[]"
            ),
        )],
        args: &["merge", "p.json"],
        code: 2,
        stderr: &["missing range 1..1"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "a temporary file left by a killed run does not count as a shard",
        family: 6,
        files: &[(".s.json.cbec-sim-partial", "half")],
        args: &["merge", ".s.json.cbec-sim-partial"],
        code: 2,
        stderr: &[".s.json.cbec-sim-partial: shard: "],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "a row count that does not match the range",
        family: 7,
        files: &[(
            "r.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":3,\"kpis\":[\"a\"],\"rows\":[[1.0]],\"time_in_system\":[]"
            ),
        )],
        args: &["merge", "r.json"],
        code: 2,
        stderr: &["r.json: shard 0..3: holds 1 rows for 3 replications"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "a range with start after end",
        family: 7,
        files: &[(
            "r.json",
            shard!(
                1,
                1,
                "\"start\":5,\"end\":2,\"kpis\":[\"a\"],\"rows\":[],\"time_in_system\":[]"
            ),
        )],
        args: &["merge", "r.json"],
        code: 2,
        stderr: &["r.json: shard 5..2: the range is empty or reversed"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "an empty range",
        family: 7,
        files: &[(
            "r.json",
            shard!(
                1,
                1,
                "\"start\":2,\"end\":2,\"kpis\":[\"a\"],\"rows\":[],\"time_in_system\":[]"
            ),
        )],
        args: &["merge", "r.json"],
        code: 2,
        stderr: &["the range is empty or reversed"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "another crate version",
        family: 7,
        files: &[(
            "v.json",
            "{\"format_version\":2,\"crate_version\":\"0.0.1\",\"model_fingerprint\":1,\"seed\":1,\"start\":0,\"end\":1,\"kpis\":[\"a\"],\"rows\":[[1.0]],\"time_in_system\":[]}",
        )],
        args: &["merge", "v.json"],
        code: 2,
        stderr: &["v.json: shard 0..1: was written by cbec-sim 0.0.1"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "another format version",
        family: 7,
        files: &[(
            "f.json",
            "{\"format_version\":1,\"crate_version\":\"0.1.0\",\"model_fingerprint\":1,\"seed\":1,\"start\":0,\"end\":1,\"kpis\":[\"a\"],\"rows\":[[1.0]],\"time_in_system\":[]}",
        )],
        args: &["merge", "f.json"],
        code: 2,
        stderr: &["f.json: shard: format version 1 cannot be read by this version (expects 2)"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "histogram counts that overflow in one shard",
        family: 7,
        files: &[(
            "h.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":1,\"kpis\":[\"a\"],\"rows\":[[1.0]],\"time_in_system\":[[1000,18446744073709551615],[2000,1]]"
            ),
        )],
        args: &["merge", "h.json"],
        code: 2,
        stderr: &["h.json: shard: histogram counts overflow"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "histogram counts that overflow across shards",
        family: 7,
        files: &[
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
        args: &["merge", "a.json", "b.json"],
        code: 2,
        stderr: &["b.json: shard 1..2: its order counts overflow the pooled histogram"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "a KPI listed twice",
        family: 7,
        files: &[(
            "k.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":1,\"kpis\":[\"a\",\"a\"],\"rows\":[[1.0,2.0]],\"time_in_system\":[]"
            ),
        )],
        args: &["merge", "k.json"],
        code: 2,
        stderr: &["k.json: shard 0..1: lists the KPI \"a\" twice"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "an unknown field",
        family: 7,
        files: &[(
            "u.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":1,\"kpis\":[\"a\"],\"rows\":[[1.0]],\"time_in_system\":[],\"extra\":1"
            ),
        )],
        args: &["merge", "u.json"],
        code: 2,
        stderr: &["u.json: shard: unknown field `extra`"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "a missing field",
        family: 7,
        files: &[(
            "m.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":1,\"kpis\":[\"a\"],\"time_in_system\":[]"
            ),
        )],
        args: &["merge", "m.json"],
        code: 2,
        stderr: &["m.json: shard: missing field `rows`"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "shards of different seeds",
        family: 7,
        files: &[
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
        args: &["merge", "a.json", "b.json"],
        code: 2,
        stderr: &["b.json: shard 1..2: has seed 2, the others 1"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "overlapping shards",
        family: 7,
        files: &[
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
        args: &["merge", "a.json", "b.json"],
        code: 2,
        stderr: &["b.json: shard 1..3: overlaps replications 0..2"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "a gap between shards",
        family: 7,
        files: &[
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
        args: &["merge", "a.json", "b.json"],
        code: 2,
        stderr: &["b.json: shard 2..3: leaves a gap after replications 0..1"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "shards of different models",
        family: 7,
        files: &[
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
        args: &["merge", "a.json", "b.json"],
        code: 2,
        stderr: &["b.json: shard 1..2: comes from a different scenario"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "shards with different KPI lists",
        family: 7,
        files: &[
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
        args: &["merge", "a.json", "b.json"],
        code: 2,
        stderr: &["b.json: shard 1..2: lists different KPIs"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "two shards that fit merge",
        family: 7,
        files: &[
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
        args: &["merge", "b.json", "a.json", "--json"],
        code: 0,
        stderr: &[],
        stdout: Stdout::Any,
        leaves: &[],
    },
    Case {
        what: "a folder as a shard",
        family: 7,
        files: &[("adir/", "")],
        args: &["merge", "adir"],
        code: 2,
        stderr: &["adir: shard: is not a regular file"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "a character device as a shard (/dev/zero)",
        family: 7,
        files: &[],
        args: &["merge", "/dev/zero"],
        code: 2,
        stderr: &["/dev/zero: shard: is not a regular file"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "a non-finite value cannot be written in JSON",
        family: 7,
        files: &[(
            "n.json",
            shard!(
                1,
                1,
                "\"start\":0,\"end\":1,\"kpis\":[\"a\"],\"rows\":[[NaN]],\"time_in_system\":[]"
            ),
        )],
        args: &["merge", "n.json"],
        code: 2,
        stderr: &["n.json: shard: "],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--seed -1",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &["run", "s.toml", "--seed", "-1"],
        code: 2,
        stderr: &[
            "--seed",
            "must be a whole number from 0 to 18446744073709551615, got -1",
        ],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--seed beyond u64",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &["run", "s.toml", "--seed", "18446744073709551616"],
        code: 2,
        stderr: &[
            "--seed",
            "must be a whole number from 0 to 18446744073709551615, got 18446744073709551616",
        ],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--seed in compare",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &["compare", "s.toml", "--variant", "s.toml", "--seed", "-5"],
        code: 2,
        stderr: &["--seed", "got -5"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "-n -3",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &["run", "s.toml", "-n", "-3"],
        code: 2,
        stderr: &["--replications", "got -3"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "-n 0",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &["run", "s.toml", "-n", "0"],
        code: 2,
        stderr: &["--replications: must be at least 1, got 0"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--threads 0",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &["run", "s.toml", "--threads", "0"],
        code: 2,
        stderr: &["--threads", "must be a whole number of threads from 1"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--threads -2",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &[
            "sweep",
            "s.toml",
            "--param",
            "stations.review.servers",
            "--values",
            "3",
            "--threads",
            "-2",
        ],
        code: 2,
        stderr: &["--threads", "got -2"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--max-replications 0 names the flag",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &[
            "run",
            "s.toml",
            "--precision",
            "review.wait_mean_min=0.1",
            "--max-replications",
            "0",
        ],
        code: 2,
        stderr: &["--max-replications: must be at least 2"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--max-replications -1",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &[
            "run",
            "s.toml",
            "--precision",
            "review.wait_mean_min=0.1",
            "--max-replications",
            "-1",
        ],
        code: 2,
        stderr: &["--max-replications", "got -1"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--warmup 100 on a 48 h scenario names --warmup and hours",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &["run", "s.toml", "--warmup", "100"],
        code: 2,
        stderr: &["--warmup: must be shorter than the scenario's horizon of 48 h, got 100 h"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--warmup 1e300 is printed short",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &["run", "s.toml", "--warmup", "1e300"],
        code: 2,
        stderr: &["got 1e300 h"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--warmup -1",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &["run", "s.toml", "--warmup", "-1"],
        code: 2,
        stderr: &["--warmup: must be a number of hours from 0, or \"auto\", got \"-1\""],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--warmup NaN",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &["run", "s.toml", "--warmup", "NaN"],
        code: 2,
        stderr: &["--warmup: must be a number of hours"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--warmup inf",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &["run", "s.toml", "--warmup", "inf"],
        code: 2,
        stderr: &["--warmup: must be a number of hours"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "a long --warmup value is quoted as an excerpt",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &[
            "run",
            "s.toml",
            "--warmup",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        ],
        code: 2,
        stderr: &["got \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\""],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--shard overflowing u64 is an input error, not an interruption",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &[
            "run",
            "s.toml",
            "--shard",
            "0..18446744073709551616",
            "--out",
            "s.json",
        ],
        code: 2,
        stderr: &[
            "--shard: must be A..B with A < B, A and B whole numbers from 0 to 18446744073709551615, got \"0..18446744073709551616\"",
        ],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--shard reversed",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &["run", "s.toml", "--shard", "5..2", "--out", "s.json"],
        code: 2,
        stderr: &["--shard: must be A..B with A < B, A below B, got \"5..2\""],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--shard without ..",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &["run", "s.toml", "--shard", "7", "--out", "s.json"],
        code: 2,
        stderr: &["--shard: must be A..B"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--precision with an unknown KPI is refused before the run",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &["run", "s.toml", "--precision", "nokpi=0.1"],
        code: 2,
        stderr: &["--precision: unknown KPI \"nokpi\""],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--precision with a misspelt KPI: did you mean",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &["run", "s.toml", "--precision", "review.wiat_mean_min=0.1"],
        code: 2,
        stderr: &[
            "--precision: unknown KPI \"review.wiat_mean_min\"; did you mean \"review.wait_mean_min\"?",
        ],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--precision REL 0",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &["run", "s.toml", "--precision", "review.wait_mean_min=0"],
        code: 2,
        stderr: &["--precision: REL must be a number above 0 (0.05 for ±5%), got \"0\""],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--precision REL negative",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &["run", "s.toml", "--precision", "review.wait_mean_min=-0.1"],
        code: 2,
        stderr: &["--precision: REL must be a number above 0"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--precision REL inf",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &["run", "s.toml", "--precision", "review.wait_mean_min=inf"],
        code: 2,
        stderr: &["--precision: REL must be a number above 0"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--precision without =",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &["run", "s.toml", "--precision", "review"],
        code: 2,
        stderr: &["--precision: must be KPI=REL"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "--precision works when right",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &[
            "run",
            "s.toml",
            "--precision",
            "review.wait_mean_min=0.5",
            "--max-replications",
            "4",
            "-q",
        ],
        code: 0,
        stderr: &[],
        stdout: Stdout::Any,
        leaves: &[],
    },
    Case {
        what: "compare --kpi misspelt is refused before the run",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &[
            "compare",
            "s.toml",
            "--variant",
            "s.toml",
            "--kpi",
            "review.wiat_mean_min",
        ],
        code: 2,
        stderr: &[
            "--kpi: unknown KPI \"review.wiat_mean_min\"; did you mean \"review.wait_mean_min\"?",
        ],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "sweep --kpi misspelt is refused before the run",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &[
            "sweep",
            "s.toml",
            "--param",
            "stations.review.servers",
            "--values",
            "3,4",
            "--kpi",
            "review.wiat_mean_min",
        ],
        code: 2,
        stderr: &["--kpi: unknown KPI \"review.wiat_mean_min\"; did you mean"],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "sweep --target on a misspelt KPI",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &[
            "sweep",
            "s.toml",
            "--param",
            "stations.review.servers",
            "--values",
            "3,4",
            "--target",
            "review.wiat_mean_min<=5",
        ],
        code: 2,
        stderr: &["--target: unknown KPI \"review.wiat_mean_min\""],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "sweep --values 1e300 is printed short",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &[
            "sweep",
            "s.toml",
            "--param",
            "stations.review.servers",
            "--values",
            "1e300",
        ],
        code: 2,
        stderr: &["--param stations.review.servers = 1e300: "],
        stdout: Stdout::Empty,
        leaves: &[],
    },
    Case {
        what: "factorial --kpi misspelt is refused before the run",
        family: 9,
        files: &[("s.toml", "{base}")],
        args: &[
            "factorial",
            "s.toml",
            "--measure",
            "a",
            "--measure",
            "b",
            "--kpi",
            "review.wiat_mean_min",
        ],
        code: 2,
        stderr: &["--kpi: unknown KPI \"review.wiat_mean_min\""],
        stdout: Stdout::Empty,
        leaves: &[],
    },
];

const COUNT: usize = 91;

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
