"""Synthesize stacks into an output folder, all or nothing."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from monitors.config import StackPlan
from monitors.settings import Settings


def synthesize(plans: list[StackPlan] | list[Settings], outdir: Path) -> list[Path]:
    """Synthesize each stack plan (a Settings is a one-endpoint plan) into outdir/stacks/<name>/cdk.tf.json;
    returns the stack folders.

    Synthesis happens in a temporary folder beside outdir and is moved in only when complete, so a
    failure never leaves half-written output.
    """
    from cdktf import App  # imported here: loading jsii is the slow part, and errors above need none of it

    from monitors.stack import MonitoringStack

    outdir = outdir.resolve()
    outdir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".synth-", dir=outdir.parent) as tmp:
        plans = [p if isinstance(p, StackPlan) else StackPlan(p.stack_name, (p,)) for p in plans]
        app = App(outdir=tmp)
        for plan in plans:
            MonitoringStack(app, plan)
        app.synth()
        stacks = []
        (outdir / "stacks").mkdir(parents=True, exist_ok=True)
        for plan in plans:
            target = outdir / "stacks" / plan.name
            staged = target.with_name(f".{plan.name}.new")
            shutil.rmtree(staged, ignore_errors=True)
            shutil.copytree(Path(tmp) / "stacks" / plan.name, staged)
            shutil.rmtree(target, ignore_errors=True)
            os.replace(staged, target)
            stacks.append(target)
        shutil.copyfile(Path(tmp) / "manifest.json", outdir / "manifest.json")
    return stacks
