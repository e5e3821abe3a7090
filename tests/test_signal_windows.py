"""A signal at each point of a real synth stops with exit 130/143, one line and no traceback (issue 22 item 6):
during the imports, while jsii starts node, during the synth, during the move into place (held back, so the new
output is installed first), after the move, and after main() returned while jsii tears down.

Each case runs main.py's main() in a subprocess that sends itself the signal at that point, so every window is hit
every time instead of by chance (tests/test_signal_in_callback.py covers a signal inside a jsii callback)."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pytest
from conftest import REPO, node_env

DRIVER = textwrap.dedent("""
    import importlib.abc, os, signal, sys
    sys.path.insert(0, {repo!r})
    WINDOW, SIGNUM = {window!r}, {signum}

    def kill():
        os.kill(os.getpid(), SIGNUM)

    class KillOnImport(importlib.abc.MetaPathFinder):
        def __init__(self, name):
            self.name = name
        def find_spec(self, fullname, path, target=None):
            if fullname == self.name:
                sys.meta_path.remove(self)
                kill()
            return None

    if WINDOW == "imports":
        sys.meta_path.insert(0, KillOnImport("pydantic"))
    elif WINDOW == "jsii start":
        from jsii._kernel.providers import process
        original_handshake = process._NodeProcess.handshake
        def handshake(self):
            kill()
            return original_handshake(self)
        process._NodeProcess.handshake = handshake
    elif WINDOW == "synth":
        import monitors.tooling.terraform_version as tv
        original_version = tv.TerraformVersionStack._set_required_version
        def set_required_version(self, *args, **kwargs):
            kill()
            return original_version(self, *args, **kwargs)
        tv.TerraformVersionStack._set_required_version = set_required_version
    elif WINDOW == "move":
        from monitors.tooling import output
        original_install = output._install_stack
        def install_stack(*args):
            kill()  # held back until every stack is in place
            return original_install(*args)
        output._install_stack = install_stack
    elif WINDOW == "after the move":
        from monitors.tooling import cost
        original_cost_lines = cost.cost_lines
        def cost_lines(settings):
            kill()
            return original_cost_lines(settings)
        cost.cost_lines = cost_lines

    import main
    rc = main.main(["--example", "--outdir", "cdktf.out"])
    if WINDOW == "teardown":
        kill()  # main() has returned; jsii stops node and removes its folders at exit
    sys.exit(rc)
""")

WINDOWS = [
    ("imports", signal.SIGTERM),
    ("imports", signal.SIGINT),
    ("jsii start", signal.SIGTERM),
    ("synth", signal.SIGINT),
    ("move", signal.SIGTERM),
    ("move", signal.SIGINT),
    ("after the move", signal.SIGINT),
    ("after the move", signal.SIGTERM),
    ("teardown", signal.SIGTERM),
    ("teardown", signal.SIGINT),
]


@pytest.mark.parametrize(("window", "signum"), WINDOWS, ids=[f"{w}-{s.name}" for w, s in WINDOWS])
def test_a_signal_in_every_window_stops_with_one_line(tmp_path, window, signum):
    private_tmp = tmp_path / "tmp"  # jsii's runtime and kernel folders go here (TMPDIR)
    private_tmp.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER.format(repo=str(REPO), window=window, signum=int(signum)))
    result = subprocess.run(
        [sys.executable, str(driver)],
        cwd=work,
        env={**node_env(), "TMPDIR": str(private_tmp)},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == {signal.SIGINT: 130, signal.SIGTERM: 143}[signum], result.stderr
    lines = result.stderr.splitlines()
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr, result.stderr
    interrupted = [line for line in lines if line.startswith("interrupted by")]
    assert interrupted == [
        f"interrupted by {signum.name}: stopped; cdktf.out holds the previous or the new output "
        "of each stack, never a mix"
    ], result.stderr
    assert lines[-1] == interrupted[0]
    out = work / "cdktf.out"
    if window in ("imports", "jsii start", "synth"):
        assert not out.exists() or sorted(p.name for p in out.iterdir()) == [".synth.lock"]
    else:  # the move completed: the new output is in place, no scratch left
        assert sorted(p.name for p in out.iterdir()) == [".synth.lock", "manifest.json", "stacks"]
        assert (out / "stacks" / "sagemaker-model-monitoring" / "cdk.tf.json").is_file()
    assert list(private_tmp.iterdir()) == []
