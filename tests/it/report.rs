//! The HTML report, opened in headless Chromium as a planner would open it.
#![cfg(feature = "cli")]

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_cbec-sim");
const BASELINE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/scenarios/hongqiao_baseline.toml"
);
const CHROMIUM: &str = "/usr/bin/chromium";

/// Chromium's DOM of `file` after loading it, and what it logged.
fn render(file: &Path, profile: &Path) -> (String, String) {
    assert!(
        Path::new(CHROMIUM).exists(),
        "this test opens the report in Chromium: install Debian's `chromium` package (.ci/run does)"
    );
    let out = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            &format!("--user-data-dir={}", profile.display()),
            "--dump-dom",
            &format!("file://{}", file.display()),
        ])
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_report_loads_in_chromium_with_its_tables_and_charts() {
    let dir = std::env::temp_dir().join(format!("cbec-sim-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let report = dir.join("compare.html");
    let out = Command::new(BIN)
        .args([
            "compare",
            BASELINE,
            "--measure",
            "expedited_clearance_7x24",
            "--measure",
            "six_plus_365",
            "-n",
            "2",
            "-q",
        ])
        .arg("--report")
        .arg(&report)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&report).unwrap();
    // Self-contained: no scripts, no external files.
    for banned in ["<script", "src=\"http", "href=\"http", "<link", "@import"] {
        assert!(!html.contains(banned), "the report contains {banned}");
    }
    let (dom, log) = render(&report, &dir.join("profile"));
    assert!(!log.contains("Uncaught"), "{log}");
    assert!(!log.contains("Failed to load resource"), "{log}");
    assert!(dom.contains("<h1>cbec-sim compare"), "{dom}");
    // The scenario's network, and one table of effects per variant.
    assert!(dom.contains("The network and the load its inputs offer"));
    assert!(
        dom.contains("Variant: expedited_clearance_7x24") && dom.contains("Variant: six_plus_365")
    );
    assert!(dom.matches("<table").count() >= 3);
    assert!(dom.contains("<td>orders_released_per_day</td>"));
    // The charts are there as SVG, with their text.
    assert!(dom.matches("<svg").count() >= 5, "charts missing");
    assert!(dom.contains("Lead-time distribution") && dom.contains("Utilisation by resource"));
    check_summary_and_footer(&html, &report);

    // `run` writes a report too.
    let run_report = dir.join("run.html");
    let out = Command::new(BIN)
        .args(["run", BASELINE, "-n", "2", "-q", "--report"])
        .arg(&run_report)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (dom, log) = render(&run_report, &dir.join("profile2"));
    assert!(!log.contains("Uncaught"), "{log}");
    assert!(dom.contains("KPIs over replications") && dom.contains("Queue length over time"));
}

/// The compare report's first screen and footer, as the planner forwards
/// it: the question with the dates and what each variant changes, the
/// headline KPIs in words, units and readable numbers, one chart; the
/// full tables folded; a footer naming the version, command line, seed,
/// replications and today's date; no cell with more than 6 significant
/// digits.
fn check_summary_and_footer(html: &str, report: &Path) {
    use crate::support::{numbers_in, significant_digits, td_cells};
    let at = |needle: &str| html.find(needle).unwrap_or_else(|| panic!("no {needle:?}"));
    let summary = &html[at("<h2>Summary</h2>")..at("<h2>Details</h2>")];
    assert!(
        at("WARNINGS: ") < at("<h2>Summary</h2>"),
        "the warnings come first"
    );
    assert!(
        summary.contains("observed from Mon 14 Oct 2024, 00:00 to Mon 21 Oct 2024, 00:00"),
        "{summary}"
    );
    assert!(summary.contains("2 replications with seed 1."), "{summary}");
    assert!(
        summary.contains("Variant expedited_clearance_7x24: ")
            && summary.contains("stations.manual_review.servers set to 4"),
        "what the variant changes: {summary}"
    );
    assert!(
        summary.contains("<th>baseline</th><th>expedited_clearance_7x24</th><th>six_plus_365</th>")
    );
    for words in [
        "<td>Orders released</td><td>orders a day</td>",
        "<td>Lead time, 95th percentile</td><td>hours</td>",
        "<td>Lead time within 24h</td><td>% of orders</td>",
        "<td>Tax collected</td><td>CNY</td>",
    ] {
        assert!(summary.contains(words), "{words}: {summary}");
    }
    assert!(
        summary.contains("no clear change")
            || summary.contains("lower")
            || summary.contains("higher")
    );
    assert_eq!(
        summary.matches("<svg").count(),
        1,
        "one chart on the first screen"
    );
    assert!(
        at("<h2>Details</h2>")
            < at("<details>\n<summary>Every effect, variant by variant</summary>")
    );
    assert!(at("<summary>The network and the load its inputs offer</summary>") < at("<footer>"));
    let footer = &html[at("<footer>")..];
    let now = jiff::Timestamp::now();
    let today = now.strftime("%Y-%m-%d").to_string();
    let yesterday = (now - jiff::SignedDuration::from_hours(24))
        .strftime("%Y-%m-%d")
        .to_string();
    for (name, value) in [
        ("cbec-sim version", env!("CARGO_PKG_VERSION").to_string()),
        (
            "command",
            format!(
                "cbec-sim compare {BASELINE} --measure expedited_clearance_7x24 --measure six_plus_365 -n 2 -q --report {}",
                report.display()
            ),
        ),
        ("seed", "1".to_string()),
        ("replications", "2 (indices 0..2)".to_string()),
    ] {
        assert!(
            footer.contains(&format!("<dt>{name}</dt><dd>{value}</dd>")),
            "{name}: {footer}"
        );
    }
    let date = footer
        .split("<dt>date of the run</dt><dd>")
        .nth(1)
        .and_then(|d| d.split("</dd>").next())
        .expect("a date in the footer");
    assert!(date.ends_with(" UTC") && date.len() == 20, "{date}");
    assert!(
        date.starts_with(&today) || date.starts_with(&yesterday),
        "{date} is not today, {today}"
    );
    let cells = td_cells(html);
    assert!(cells.len() > 100);
    for c in &cells {
        for n in numbers_in(c) {
            assert!(significant_digits(&n) <= 6, "cell {c:?}");
        }
    }
}

/// Runs `cbec-sim args`, which must succeed.
fn cbec(args: &[&str]) {
    let out = Command::new(BIN).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Each `<text>` element of an SVG: its attributes and its text.
fn svg_texts(svg: &str) -> Vec<(String, String)> {
    svg.split("<text ")
        .skip(1)
        .filter_map(|rest| {
            let (attrs, rest) = rest.split_once('>')?;
            let (text, _) = rest.split_once("</text>")?;
            Some((attrs.to_string(), text.trim().to_string()))
        })
        .collect()
}

/// The value of attribute `name` in `attrs`.
fn attr(attrs: &str, name: &str) -> Option<f64> {
    let (_, rest) = attrs.split_once(&format!(" {name}=\""))?;
    rest.split('"').next()?.parse().ok()
}

/// The right edge of the plot: the largest x of the axis and grid lines
/// (`<line>`; the legend and the data are drawn with other elements).
fn plot_right(svg: &str) -> f64 {
    svg.split("<line ")
        .skip(1)
        .filter_map(|l| Some(attr(&format!(" {l}"), "x1")?.max(attr(&format!(" {l}"), "x2")?)))
        .fold(0.0, f64::max)
}

/// The x of the text `label` in `svg`.
fn text_x(svg: &str, label: &str) -> f64 {
    svg_texts(svg)
        .into_iter()
        .find(|(_, t)| t == label)
        .and_then(|(a, _)| attr(&format!(" {a}"), "x"))
        .unwrap_or_else(|| panic!("no text {label:?}"))
}

/// Renders `svg` to a PNG in headless Chromium at the charts' size and
/// checks the picture: its header's size, and that it is not blank.
fn check_png(svg: &Path, profile: &Path) {
    let png = svg.with_extension("png");
    let out = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            &format!("--user-data-dir={}", profile.display()),
            &format!("--screenshot={}", png.display()),
            "--window-size=900,480",
            &format!("file://{}", svg.display()),
        ])
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}", png.display());
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    assert_eq!((be(16), be(20)), (900, 480), "{}", png.display());
    let decoder = png::Decoder::new(std::io::Cursor::new(&bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let px = info.color_type.samples();
    let colours: std::collections::HashSet<&[u8]> = buf[..info.buffer_size()].chunks(px).collect();
    assert!(
        colours.len() > 20,
        "{} is blank: {} colours",
        png.display(),
        colours.len()
    );
    // Something is drawn right of the plot: the legend (or the margin).
    let white = buf[..info.buffer_size()]
        .chunks(px)
        .filter(|c| c.iter().take(3).all(|&b| b == 255))
        .count();
    assert!(
        white < (900 * 480) * 98 / 100,
        "{} is almost all white",
        png.display()
    );
}

/// Checks the text of one chart: every font at least 14 px, and the
/// legend (`legend` labels) right of the plot.
fn check_svg(svg: &str, name: &str, legend: &[&str]) {
    for (attrs, text) in svg_texts(svg) {
        let size = attr(&format!(" {attrs}"), "font-size").unwrap();
        assert!(size >= 14.0, "{name}: {text:?} at {size} px");
    }
    let right = plot_right(svg);
    assert!(right > 300.0, "{name}: plot right edge {right}");
    for label in legend {
        let x = text_x(svg, label);
        assert!(
            x > right,
            "{name}: legend {label:?} at x {x}, inside the plot (right edge {right})"
        );
    }
}

/// The report's charts as a reader sees them: SVG text at report quality,
/// legends outside the plot, every variant, calendar dates, the sweep's
/// target, and each chart rendered to a PNG of the right size.
#[test]
fn the_charts_render_at_report_quality() {
    let dir = std::env::temp_dir().join(format!("cbec-sim-charts-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (cdir, rdir, sdir) = (dir.join("compare"), dir.join("run"), dir.join("sweep"));
    let variants = ["expedited_clearance_7x24", "six_plus_365"];
    cbec(&[
        "compare",
        BASELINE,
        "--measure",
        variants[0],
        "--measure",
        variants[1],
        "-n",
        "2",
        "-q",
        "--plot",
        cdir.to_str().unwrap(),
    ]);
    cbec(&[
        "run",
        BASELINE,
        "-n",
        "2",
        "-q",
        "--plot",
        rdir.to_str().unwrap(),
    ]);
    cbec(&[
        "sweep",
        BASELINE,
        "--param",
        "stations.list_review.servers",
        "--values",
        "300,400",
        "--target",
        "lead_time_p95_h<=12",
        "-n",
        "2",
        "-q",
        "--plot",
        sdir.to_str().unwrap(),
    ]);
    let read = |d: &Path, f: &str| std::fs::read_to_string(d.join(f)).unwrap();
    let all = ["baseline", variants[0], variants[1]];
    // Compare: every variant in the lead times, the queue and the utilisation.
    for f in [
        "lead_time_cdf.svg",
        "queues_over_time.svg",
        "utilization.svg",
    ] {
        check_svg(&read(&cdir, f), f, &all);
    }
    // Time on the calendar: a weekday and day at each midnight.
    let queues = read(&cdir, "queues_over_time.svg");
    let days: Vec<String> = svg_texts(&queues)
        .into_iter()
        .map(|(_, t)| t)
        .filter(|t| {
            ["Mon ", "Tue ", "Wed ", "Thu ", "Fri ", "Sat ", "Sun "]
                .iter()
                .any(|d| t.starts_with(d))
        })
        .collect();
    assert!(days.len() >= 7, "{days:?}");
    assert!(queues.contains("local date and time, Oct 2024"));
    assert!(
        !queues.contains("(hours)"),
        "no hours from the start on a time axis"
    );
    let daily = read(&rdir, "daily.svg");
    assert!(daily.contains("Mon 14 Oct"), "dates on the orders per day");
    check_svg(&daily, "daily.svg", &["entered", "left"]);
    check_svg(
        &read(&rdir, "utilization.svg"),
        "run utilization.svg",
        &["this scenario"],
    );
    // The sweep's target line, named in the legend.
    let sweep = read(&sdir, "sweep.svg");
    check_svg(
        &sweep,
        "sweep.svg",
        &["mean over replications", "target lead_time_p95_h &lt;= 12"],
    );
    assert!(
        sweep.contains("stroke=\"#D62728\""),
        "the target line is drawn"
    );
    // Every chart renders to a PNG of its size that is not blank.
    let mut n = 0;
    for d in [&cdir, &rdir, &sdir] {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "svg") {
                let svg = std::fs::read_to_string(&p).unwrap();
                check_svg(&svg, &p.display().to_string(), &[]);
                check_png(&p, &dir.join("profile"));
                n += 1;
            }
        }
    }
    assert!(n >= 12, "{n} charts");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The studies' reports share the layout of `run` and `compare`: summary
/// (the question, a headline table, one chart), details, the full tables
/// and the network folded, a footer naming the version, command line,
/// seed and replications, and no table cell over 6 significant digits.
#[test]
fn every_command_writes_the_same_report_layout() {
    use crate::support::{numbers_in, significant_digits, td_cells};
    const TANDEM: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/tandem.toml");
    let dir = std::env::temp_dir().join(format!("cbec-sim-layout-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let measures = dir.join("m.toml");
    std::fs::write(
        &measures,
        "[[measure]]\nname = \"one_more_reviewer\"\ntitle = \"t\"\npress_release = \"p\"\npatches = [{ path = \"stations.customs_review.servers\", add = 1, assumption = \"a\" }]\n\
         [[measure]]\nname = \"one_more_inspector\"\ntitle = \"t\"\npress_release = \"p\"\npatches = [{ path = \"stations.inspection.servers\", add = 1, assumption = \"a\" }]\n",
    )
    .unwrap();
    let m = measures.to_str().unwrap();
    let studies: [&[&str]; 5] = [
        &[
            "sweep",
            TANDEM,
            "--param",
            "stations.inspection.servers",
            "--values",
            "5,6",
            "--target",
            "network.time_in_system_mean_min<=600",
            "-n",
            "2",
        ],
        &[
            "factorial",
            TANDEM,
            "--measures-file",
            m,
            "--measure",
            "one_more_reviewer",
            "--measure",
            "one_more_inspector",
            "-n",
            "2",
        ],
        &[
            "sensitivity",
            TANDEM,
            "--trajectories",
            "2",
            "--top",
            "2",
            "--sobol-rows",
            "4",
            "-n",
            "2",
        ],
        &[
            "robustness",
            TANDEM,
            "--measures-file",
            m,
            "--measure",
            "one_more_reviewer",
            "--draws",
            "4",
            "-n",
            "2",
        ],
        &[
            "capacity",
            TANDEM,
            "--resource",
            "stations.customs_review.servers=2:1..10",
            "--resource",
            "stations.inspection.servers=5:1..10",
            "--target",
            "customs_review.wait_mean_min<=1",
            "-n",
            "4",
            "--confirm-replications",
            "4",
        ],
    ];
    for args in studies {
        let report = dir.join(format!("{}.html", args[0]));
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["-q", "--report", report.to_str().unwrap()]);
        cbec(&all);
        let html = std::fs::read_to_string(&report).unwrap();
        let name = args[0];
        let at = |needle: &str| {
            html.find(needle)
                .unwrap_or_else(|| panic!("{name}: no {needle:?}"))
        };
        let order = [
            "<h2>Summary</h2>",
            "Scenario ",
            "<table>",
            "<svg",
            "<h2>Details</h2>",
            "<summary>The network and the load its inputs offer</summary>",
            "<footer>",
        ];
        for w in order.windows(2) {
            assert!(at(w[0]) < at(w[1]), "{name}: {:?} before {:?}", w[0], w[1]);
        }
        let summary = &html[at("<h2>Summary</h2>")..at("<h2>Details</h2>")];
        assert_eq!(
            summary.matches("<svg").count(),
            1,
            "{name}: one chart in the summary"
        );
        assert!(
            summary.contains("observed from Mon 1 Jan 2024"),
            "{name}: {summary}"
        );
        let footer = &html[at("<footer>")..];
        for t in [
            format!(
                "<dt>cbec-sim version</dt><dd>{}</dd>",
                env!("CARGO_PKG_VERSION")
            ),
            format!("<dt>command</dt><dd>cbec-sim {name} {TANDEM} "),
            "<dt>seed</dt><dd>1</dd>".to_string(),
            "<dt>replications</dt><dd>".to_string(),
            "<dt>date of the run</dt><dd>".to_string(),
        ] {
            assert!(footer.contains(&t), "{name}: {t} in {footer}");
        }
        for c in td_cells(&html) {
            for n in numbers_in(&c) {
                assert!(significant_digits(&n) <= 6, "{name}: cell {c:?}");
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
