//! A self-contained HTML report: tables and inline SVG charts, no scripts,
//! no external files, so a planner can open it anywhere or mail it.
//!
//! The warnings come first, then whatever the report puts in its order;
//! sections that only some readers need fold away in `<details>` (which
//! opens and closes without scripts); the footer says how the report was
//! made. Every number in a table cell (each word of a cell that is a
//! number) is written by [`readable`](super::table::readable).

use super::table::readable;

/// One piece of a report, in order.
#[derive(Debug, Clone, PartialEq)]
enum Block {
    Heading(String),
    Paragraph(String),
    Preformatted(String),
    Table {
        caption: String,
        headers: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    Chart {
        caption: String,
        svg: String,
    },
    List(Vec<String>),
    Details {
        summary: String,
        blocks: Vec<Block>,
    },
}

/// A report being put together; [`HtmlReport::to_html`] writes it out.
///
/// # Examples
/// ```
/// use cbec_sim::report::HtmlReport;
/// let mut r = HtmlReport::new("Hongqiao, Double 11 week");
/// r.paragraph("20 replications, seed 1.");
/// r.table("Planner KPIs", &["KPI", "mean"], vec![vec!["lead_time_p95_h".into(), "20.3".into()]]);
/// let mut all = HtmlReport::new("");
/// all.table("Every KPI", &["KPI", "mean"], vec![vec!["tax_cny".into(), "5863225.29".into()]]);
/// r.details("Every KPI", all);
/// r.warnings(&["a station is overloaded".to_string()]);
/// r.footer("seed", "1");
/// let html = r.to_html();
/// assert!(html.contains("<table") && html.contains("lead_time_p95_h"));
/// assert!(html.find("WARNINGS: ").unwrap() < html.find("20 replications").unwrap());
/// assert!(html.contains("<summary>Every KPI</summary>") && html.contains("<td>5,863,000</td>"));
/// assert!(html.contains("<footer>"));
/// assert!(!html.contains("<script"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct HtmlReport {
    title: String,
    warnings: Vec<String>,
    blocks: Vec<Block>,
    footer: Vec<(String, String)>,
}

/// Escapes text for HTML.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

impl HtmlReport {
    /// An empty report with a title.
    #[must_use]
    pub fn new(title: impl Into<String>) -> Self {
        HtmlReport {
            title: title.into(),
            warnings: Vec::new(),
            blocks: Vec::new(),
            footer: Vec::new(),
        }
    }

    /// Adds a section heading.
    pub fn heading(&mut self, text: impl Into<String>) -> &mut Self {
        self.blocks.push(Block::Heading(text.into()));
        self
    }

    /// Adds a paragraph of plain text.
    pub fn paragraph(&mut self, text: impl Into<String>) -> &mut Self {
        self.blocks.push(Block::Paragraph(text.into()));
        self
    }

    /// Adds text shown as written, in a fixed-width font (a command's text
    /// output).
    pub fn preformatted(&mut self, text: impl Into<String>) -> &mut Self {
        self.blocks.push(Block::Preformatted(text.into()));
        self
    }

    /// Adds warnings: they open the report, above everything else, under
    /// `WARNINGS: `.
    pub fn warnings(&mut self, warnings: &[String]) -> &mut Self {
        self.warnings.extend_from_slice(warnings);
        self
    }

    /// Adds a bulleted list.
    pub fn list(&mut self, items: Vec<String>) -> &mut Self {
        self.blocks.push(Block::List(items));
        self
    }

    /// Adds the blocks of `inner` (not its title, warnings or footer)
    /// folded under `summary`: closed until the reader opens it.
    pub fn details(&mut self, summary: impl Into<String>, inner: HtmlReport) -> &mut Self {
        self.blocks.push(Block::Details {
            summary: summary.into(),
            blocks: inner.blocks,
        });
        self
    }

    /// Adds a line to the footer: a name and its value (`version`,
    /// `0.1.0`).
    pub fn footer(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.footer.push((name.into(), value.into()));
        self
    }

    /// Adds a table; each number in a cell (a word of it) is written by
    /// [`readable`](super::table::readable).
    pub fn table(
        &mut self,
        caption: impl Into<String>,
        headers: &[&str],
        rows: Vec<Vec<String>>,
    ) -> &mut Self {
        self.blocks.push(Block::Table {
            caption: caption.into(),
            headers: headers.iter().map(|h| (*h).to_string()).collect(),
            rows,
        });
        self
    }

    /// Adds a chart (an `<svg>` document, such as one from [`super::charts`]).
    pub fn chart(&mut self, caption: impl Into<String>, svg: impl Into<String>) -> &mut Self {
        self.blocks.push(Block::Chart {
            caption: caption.into(),
            svg: svg.into(),
        });
        self
    }

    /// The whole report as one HTML document.
    #[must_use]
    pub fn to_html(&self) -> String {
        let mut h = String::new();
        h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        h.push_str(&format!("<title>{}</title>\n", escape(&self.title)));
        h.push_str(
            "<style>\nbody{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}\n\
             table{border-collapse:collapse;margin:1em 0}.wide{overflow-x:auto}\n\
             th,td{border:1px solid #bbb;padding:3px 8px;text-align:right}\n\
             th:first-child,td:first-child{text-align:left}\n\
             caption{font-weight:bold;text-align:left;padding:4px 0}\n\
             figure{margin:1.5em 0}figure svg{max-width:100%;height:auto}\n\
             figcaption{font-size:90%;color:#555}\n\
             .warnings{border:2px solid #b00;background:#fff4f4;padding:0 1em;margin:1em 0}\n\
             .warnings p{font-weight:bold;color:#b00}\n\
             details{margin:1em 0}summary{font-weight:bold;font-size:110%;cursor:pointer}\n\
             footer{border-top:1px solid #bbb;margin-top:3em;font-size:90%;color:#444}\n\
             footer dl{display:grid;grid-template-columns:max-content auto;gap:2px 1em}\n\
             footer dd{margin:0;font-family:monospace}\n</style>\n",
        );
        h.push_str("</head>\n<body>\n");
        h.push_str(&format!("<h1>{}</h1>\n", escape(&self.title)));
        if !self.warnings.is_empty() {
            h.push_str(
                "<div class=\"warnings\">\n<p>WARNINGS: read these before the results.</p>\n<ul>\n",
            );
            for w in &self.warnings {
                h.push_str(&format!("<li>{}</li>\n", escape(w)));
            }
            h.push_str("</ul>\n</div>\n");
        }
        for b in &self.blocks {
            write_block(&mut h, b);
        }
        if !self.footer.is_empty() {
            h.push_str("<footer>\n<dl>\n");
            for (name, value) in &self.footer {
                h.push_str(&format!(
                    "<dt>{}</dt><dd>{}</dd>\n",
                    escape(name),
                    escape(value)
                ));
            }
            h.push_str("</dl>\n</footer>\n");
        }
        h.push_str("</body>\n</html>\n");
        h
    }
}

/// A table cell: each word of it that is a number written as
/// [`readable`] writes it (`0.07561 ± 2875243.1` becomes `0.0756 ±
/// 2,875,000`), other words as they are.
fn cell(text: &str) -> String {
    text.split(' ')
        .map(|word| match word.parse::<f64>() {
            Ok(x) if x.is_finite() && !word.is_empty() => readable(Some(x)),
            _ => word.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Writes one block (and the blocks inside it) as HTML.
fn write_block(h: &mut String, b: &Block) {
    match b {
        Block::Heading(t) => h.push_str(&format!("<h2>{}</h2>\n", escape(t))),
        Block::Paragraph(t) => h.push_str(&format!("<p>{}</p>\n", escape(t))),
        Block::Preformatted(t) => h.push_str(&format!("<pre>{}</pre>\n", escape(t))),
        Block::List(items) => {
            h.push_str("<ul>\n");
            for i in items {
                h.push_str(&format!("<li>{}</li>\n", escape(i)));
            }
            h.push_str("</ul>\n");
        }
        Block::Table {
            caption,
            headers,
            rows,
        } => {
            h.push_str(&format!(
                "<div class=\"wide\">\n<table>\n<caption>{}</caption>\n<tr>",
                escape(caption)
            ));
            for c in headers {
                h.push_str(&format!("<th>{}</th>", escape(c)));
            }
            h.push_str("</tr>\n");
            for row in rows {
                h.push_str("<tr>");
                for c in row {
                    h.push_str(&format!("<td>{}</td>", escape(&cell(c))));
                }
                h.push_str("</tr>\n");
            }
            h.push_str("</table>\n</div>\n");
        }
        Block::Chart { caption, svg } => {
            let svg = svg
                .trim_start_matches(|c: char| c != '<')
                .trim_start_matches("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
            h.push_str("<figure>\n");
            h.push_str(svg.trim());
            h.push_str(&format!(
                "\n<figcaption>{}</figcaption>\n</figure>\n",
                escape(caption)
            ));
        }
        Block::Details { summary, blocks } => {
            h.push_str(&format!(
                "<details>\n<summary>{}</summary>\n",
                escape(summary)
            ));
            for b in blocks {
                write_block(h, b);
            }
            h.push_str("</details>\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_come_first_details_fold_and_numbers_are_readable() {
        let mut r = HtmlReport::new("t");
        r.paragraph("intro");
        let mut inner = HtmlReport::new("");
        inner.table(
            "all",
            &["KPI", "mean"],
            vec![vec!["x".into(), "5863225.2939".into()]],
        );
        r.details("Every KPI", inner);
        r.warnings(&["a <b>".to_string()]);
        r.footer("seed", "7");
        let html = r.to_html();
        let w = html.find("WARNINGS: ").unwrap();
        assert!(w < html.find("<p>intro").unwrap());
        assert!(html.contains("<li>a &lt;b&gt;</li>"));
        assert!(
            html.contains("<details>\n<summary>Every KPI</summary>\n<div class=\"wide\">\n<table>")
        );
        assert!(html.contains("<td>5,863,000</td>") && html.contains("<td>x</td>"));
        assert!(html.contains("<footer>\n<dl>\n<dt>seed</dt><dd>7</dd>"));
        assert_eq!(cell("-"), "-");
        assert_eq!(cell("0.07561 ± 2875243.1"), "0.0756 ± 2,875,000");
        assert_eq!(cell("stations.x.servers  3"), "stations.x.servers  3");
        assert_eq!(cell("0..3"), "0..3");
        assert_eq!(cell("inf"), "inf");
    }
}
