"""Synthesize stacks into an output folder: all or nothing, one run at a time, keeping what we did not write."""

from __future__ import annotations

import sys
from pathlib import Path

from monitors.settings.config import StackPlan
from monitors.settings.model import Settings
from monitors.tooling.output import install, locked_output


def synthesize(
    plans: list[StackPlan] | list[Settings], outdir: Path, notes: list[str] | None = None, *, hcl: bool = False
) -> list[Path]:
    """Synthesize each stack plan (a Settings is a one-endpoint plan) into outdir/stacks/<name>/cdk.tf.json
    (with `hcl`: cdk.tf, HCL for reviewers, see monitors/tooling/hcl.py); returns the stack folders.

    Under the output folder's lock (OutputError if another run holds it), every stack is synthesized into a
    scratch folder first and moved in only when all are complete (monitors/tooling/output.py): a failure never
    leaves half-written output, and state or other files in the stack folders are kept. Lines about stack
    folders no longer in the configuration go to `notes` (default: stderr).
    """
    outdir = outdir.resolve()
    plans = [p if isinstance(p, StackPlan) else StackPlan(p.validated_stack_name, (p,)) for p in plans]
    with locked_output(outdir) as scratch:
        from cdktf import App  # imported here: loading jsii is the slow part, and errors above need none of it

        from monitors.constructs.stack import MonitoringStack

        # hcl_output names the stack file cdk.tf in the manifest; cdktf still writes JSON there (its HCL renderer
        # runs only with SYNTH_HCL_OUTPUT in the Node process environment), which _json_to_hcl replaces.
        app = App(outdir=str(scratch), hcl_output=hcl)
        for plan in plans:
            MonitoringStack(app, plan)
        app.synth()
        if hcl:
            _json_to_hcl(scratch, [plan.name for plan in plans])
        lines = install(scratch, outdir, [plan.name for plan in plans])
    if notes is None:
        for line in lines:
            print(line, file=sys.stderr)
    else:
        notes.extend(lines)
    return [outdir / "stacks" / plan.name for plan in plans]


def _json_to_hcl(synthesized: Path, stack_names: list[str]) -> None:
    """Rewrite each synthesized stack's cdk.tf (Terraform JSON, see above) as HCL: the same configuration."""
    import json

    from monitors.tooling.hcl import HclError, to_hcl
    from monitors.tooling.output import OutputError

    for name in stack_names:
        path = synthesized / "stacks" / name / "cdk.tf"
        try:
            text = to_hcl(json.loads(path.read_text()))
        except HclError as exc:
            raise OutputError(f"--hcl: {exc}; nothing was written") from None
        path.write_text(text)
