"""An M/M/2 desk (90 orders an hour, 1 minute each) against Erlang C."""
import cbec_sim

desk = cbec_sim.Scenario.from_toml("""
simulation = { horizon_h = 500, warmup_h = 10 }
sources.orders = { rate_per_hour = 90, to = "desk" }
stations.desk = { servers = 2, service_time_min = { dist = "exponential", mean = 1.0 }, to = "done" }
sinks.done = {}
""")
wait = cbec_sim.run(desk, replications=20, seed=2024).kpi("desk.wait_mean_min")
theory = cbec_sim.mmc_mean_wait(90 / 60, 1.0, 2)
print(f"mean wait {wait['mean']:.3f} ± {wait['half_width_95']:.3f} min; Erlang C {theory:.3f}")
assert abs(wait["mean"] - theory) < 3 * wait["std_error"], "outside 3 standard errors"
