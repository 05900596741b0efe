//! The unit of a KPI's values, read from its name's suffix.

/// The unit a KPI's values are in, from its name: `_min` minutes, `_h`
/// hours, `_share` a share of orders (0 to 1), `utilization` a share of
/// time busy (0 to 1), `_per_day` and `_per_hour` orders per day or hour,
/// `_cny` yuan, counts of orders (backlog, rejected, cancelled, orders,
/// in system); empty when the name does not say.
///
/// ```
/// use cbec_sim::experiment::kpi_unit;
/// assert_eq!(kpi_unit("lead_time_p95_h"), "hours");
/// assert_eq!(kpi_unit("review.utilization"), "share of time busy");
/// assert_eq!(kpi_unit("lead_time_within_24h_share"), "share of orders");
/// assert_eq!(kpi_unit("network.in_system_mean"), "orders");
/// ```
#[must_use]
pub fn kpi_unit(name: &str) -> &'static str {
    if name.ends_with("_share") {
        "share of orders"
    } else if name.ends_with("utilization") || name.contains("utilization_") {
        "share of time busy"
    } else if name.ends_with("_per_day") {
        "orders a day"
    } else if name.ends_with("_per_hour") {
        "orders an hour"
    } else if name.ends_with("_h") {
        "hours"
    } else if name.ends_with("_min") {
        "minutes"
    } else if name.ends_with("_cny") {
        "CNY"
    } else if ["backlog", "rejected", "cancelled", "orders", "in_system"]
        .iter()
        .any(|w| name.contains(w))
    {
        "orders"
    } else {
        ""
    }
}
