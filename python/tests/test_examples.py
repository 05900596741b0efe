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
