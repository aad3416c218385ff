"""The examples under examples/python run and write their figures (to a temporary directory)."""
import os
import subprocess
import sys

from conftest import SOURCE_DIR


def run_example(name, tmp_path):
    out = tmp_path / (name + ".png")
    env = dict(os.environ, MPLBACKEND="Agg")
    r = subprocess.run([sys.executable, os.path.join(SOURCE_DIR, "examples", "python", name + ".py"), "--out", str(out)],
                       capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr
    assert out.exists() and out.stat().st_size > 10000
    return r.stdout


def test_figure1(tmp_path):
    run_example("figure1", tmp_path)


def test_arccos_kernel_example(tmp_path):
    out = run_example("arccos_kernel", tmp_path)
    assert "naive" in out
