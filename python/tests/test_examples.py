"""The quickstart example runs and prints the Erlang C check."""

import pathlib
import subprocess
import sys

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"


def test_quickstart_prints_the_erlang_c_check(tmp_path):
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / "quickstart.py")],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    ).stdout
    assert "Erlang C 1.286" in out, out


def test_the_docstring_examples_run():
    import doctest

    import cbec_sim
    import cbec_sim._errors
    import cbec_sim.build

    for module in (cbec_sim, cbec_sim._errors, cbec_sim.build):
        failed, tried = doctest.testmod(module)
        assert tried > 0 and failed == 0, module.__name__
