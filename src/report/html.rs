//! A self-contained HTML report: tables and inline SVG charts, no scripts,
//! no external files, so a planner can open it anywhere or mail it.

/// One piece of a report, in order.
#[derive(Debug, Clone, PartialEq)]
enum Block {
    Heading(String),
    Paragraph(String),
    Table {
        caption: String,
        headers: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    Chart {
        caption: String,
        svg: String,
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
/// let html = r.to_html();
/// assert!(html.contains("<table") && html.contains("lead_time_p95_h"));
/// assert!(!html.contains("<script"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct HtmlReport {
    title: String,
    blocks: Vec<Block>,
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
            blocks: Vec::new(),
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

    /// Adds a table.
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
             table{border-collapse:collapse;margin:1em 0}\n\
             th,td{border:1px solid #bbb;padding:3px 8px;text-align:right}\n\
             th:first-child,td:first-child{text-align:left}\n\
             caption{font-weight:bold;text-align:left;padding:4px 0}\n\
             figure{margin:1.5em 0}figcaption{font-size:90%;color:#555}\n</style>\n",
        );
        h.push_str("</head>\n<body>\n");
        h.push_str(&format!("<h1>{}</h1>\n", escape(&self.title)));
        for b in &self.blocks {
            match b {
                Block::Heading(t) => h.push_str(&format!("<h2>{}</h2>\n", escape(t))),
                Block::Paragraph(t) => h.push_str(&format!("<p>{}</p>\n", escape(t))),
                Block::Table {
                    caption,
                    headers,
                    rows,
                } => {
                    h.push_str(&format!(
                        "<table>\n<caption>{}</caption>\n<tr>",
                        escape(caption)
                    ));
                    for c in headers {
                        h.push_str(&format!("<th>{}</th>", escape(c)));
                    }
                    h.push_str("</tr>\n");
                    for row in rows {
                        h.push_str("<tr>");
                        for c in row {
                            h.push_str(&format!("<td>{}</td>", escape(c)));
                        }
                        h.push_str("</tr>\n");
                    }
                    h.push_str("</table>\n");
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
            }
        }
        h.push_str("</body>\n</html>\n");
        h
    }
}
