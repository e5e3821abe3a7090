"""Synthesize stacks into an output folder, all or nothing."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from monitors.settings import Settings


def synthesize(settings_list: list[Settings], outdir: Path) -> list[Path]:
    """Synthesize one stack per Settings into outdir/stacks/<name>/cdk.tf.json; returns the stack folders.

    Synthesis happens in a temporary folder beside outdir and is moved in only when complete, so a
    failure never leaves half-written output.
    """
    from cdktf import App  # imported here: loading jsii is the slow part, and errors above need none of it

    from monitors.stack import MonitoringStack

    outdir = outdir.resolve()
    outdir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".synth-", dir=outdir.parent) as tmp:
        app = App(outdir=tmp)
        for settings in settings_list:
            MonitoringStack(app, settings)
        app.synth()
        stacks = []
        (outdir / "stacks").mkdir(parents=True, exist_ok=True)
        for settings in settings_list:
            target = outdir / "stacks" / settings.stack_name
            staged = target.with_name(f".{settings.stack_name}.new")
            shutil.rmtree(staged, ignore_errors=True)
            shutil.copytree(Path(tmp) / "stacks" / settings.stack_name, staged)
            shutil.rmtree(target, ignore_errors=True)
            os.replace(staged, target)
            stacks.append(target)
        shutil.copyfile(Path(tmp) / "manifest.json", outdir / "manifest.json")
    return stacks
