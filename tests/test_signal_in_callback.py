"""A signal that lands while node is calling back into Python (jsii callback) still stops with one line.

jsii catches `Exception` raised inside a callback and hands it to node as a JavaScript error; the synth then
failed with `RuntimeError: SIGTERM` and a traceback (exit 1). The signal is sent from inside the callback, so
the test hits that window every time instead of by chance.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pytest
from conftest import REPO, node_env

DRIVER = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {repo!r})
    import monitors.tooling.terraform_version as tv
    original = tv.TerraformVersionStack.to_terraform

    def signal_from_the_callback(self):  # called from node during app.synth() (TerraformStack.toTerraform)
        os.kill(os.getpid(), {signum})
        return original(self)

    tv.TerraformVersionStack.to_terraform = signal_from_the_callback
    import main
    sys.exit(main.main(["--example", "--outdir", "cdktf.out"]))
""")


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_inside_a_jsii_callback_stops_with_one_line(tmp_path, signum, code):
    private_tmp = tmp_path / "tmp"  # jsii's runtime and kernel folders go here (TMPDIR)
    private_tmp.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER.format(repo=str(REPO), signum=int(signum)))
    result = subprocess.run(
        [sys.executable, str(driver)],
        cwd=work,
        env={**node_env(), "TMPDIR": str(private_tmp)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == code, result.stderr
    assert result.stderr.splitlines() == [
        f"interrupted by {signal.Signals(signum).name}: stopped; cdktf.out holds the "
        "previous or the new output of each stack, never a mix"
    ]
    assert sorted(p.name for p in (work / "cdktf.out").iterdir()) == [".synth.lock"]  # nothing installed, no scratch
    assert list(private_tmp.iterdir()) == []
