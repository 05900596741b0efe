"""The Double 11 week of the Hongqiao bonded centre: each measure of the
October 2024 announcement against the baseline, as a table of paired effects
(common random numbers, 95% intervals).

Run: python python/examples/hongqiao.py
"""
import pathlib

import cbec_sim

root = pathlib.Path(__file__).resolve().parents[2]
week = cbec_sim.Scenario.from_path(str(root / "scenarios" / "hongqiao_double11.toml"))
for w in week.validate():
    print("warning:", w)
study = cbec_sim.compare(week, each=True, replications=10, seed=1)
effects = study.effects
headline = ["lead_time_p95_h", "peak_day_backlog_at_end", "released_per_day"]
print(effects[effects["kpi"].isin(headline)].to_string(index=False) if hasattr(effects, "to_string") else effects)
