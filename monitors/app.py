"""Synthesize stacks into an output folder: all or nothing, one run at a time, keeping what we did not write."""

from __future__ import annotations

import sys
from pathlib import Path

from monitors.config import StackPlan
from monitors.output import install, locked_output
from monitors.settings import Settings


def synthesize(plans: list[StackPlan] | list[Settings], outdir: Path, notes: list[str] | None = None) -> list[Path]:
    """Synthesize each stack plan (a Settings is a one-endpoint plan) into outdir/stacks/<name>/cdk.tf.json;
    returns the stack folders.

    Under the output folder's lock (OutputError if another run holds it), every stack is synthesized into a
    scratch folder first and moved in only when all are complete (monitors/output.py): a failure never
    leaves half-written output, and state or other files in the stack folders are kept. Lines about stack
    folders no longer in the configuration go to `notes` (default: stderr).
    """
    outdir = outdir.resolve()
    plans = [p if isinstance(p, StackPlan) else StackPlan(p.stack_name, (p,)) for p in plans]
    with locked_output(outdir) as scratch:
        from cdktf import App  # imported here: loading jsii is the slow part, and errors above need none of it

        from monitors.stack import MonitoringStack

        app = App(outdir=str(scratch))
        for plan in plans:
            MonitoringStack(app, plan)
        app.synth()
        lines = install(scratch, outdir, [plan.name for plan in plans])
    if notes is None:
        for line in lines:
            print(line, file=sys.stderr)
    else:
        notes.extend(lines)
    return [outdir / "stacks" / plan.name for plan in plans]
