"""Synthesize stacks into an output folder: all or nothing, one run at a time, keeping what we did not write."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from monitors.constructs.kernel_env import prepare_kernel_environment
from monitors.settings.config import StackPlan
from monitors.settings.model import Settings
from monitors.tooling.output import install, locked_output

# Stacks synthesized in one jsii kernel (see synthesize); MONITORS_STACKS_PER_KERNEL overrides it (tests).
STACKS_PER_KERNEL = int(os.environ.get("MONITORS_STACKS_PER_KERNEL", "500"))


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
        prepare_kernel_environment()  # before cdktf starts the jsii kernel
        from cdktf import App  # imported here: loading jsii is the slow part, and errors above need none of it

        from monitors.constructs.stack import MonitoringStack

        # hcl_output names the stack file cdk.tf in the manifest; cdktf still writes JSON there (its HCL renderer
        # runs only with SYNTH_HCL_OUTPUT in the Node process environment), which _json_to_hcl replaces.
        # A fleet is synthesized STACKS_PER_KERNEL stacks at a time, each batch an App of its own in a fresh jsii
        # kernel: Node frees nothing a finished stack held (the kernel keeps every object Python created, cdktf
        # every token), so memory would grow with the fleet. manifest.json lists the stacks of all batches.
        batches = [plans[i : i + STACKS_PER_KERNEL] for i in range(0, len(plans), STACKS_PER_KERNEL)]
        listed: dict = {}
        for number, batch in enumerate(batches):
            if number:
                _fresh_kernel()
            app = App(outdir=str(scratch), hcl_output=hcl)
            for plan in batch:
                MonitoringStack(app, plan)
            app.synth()
            del app
            if len(batches) > 1:
                manifest = json.loads((scratch / "manifest.json").read_text())
                listed.update(manifest["stacks"])
        if len(batches) > 1:
            manifest["stacks"] = listed
            (scratch / "manifest.json").write_text(stable_json(manifest))
        if hcl:
            _json_to_hcl(scratch, [plan.name for plan in plans])
        lines = install(scratch, outdir, [plan.name for plan in plans])
    if notes is None:
        for line in lines:
            print(line, file=sys.stderr)
    else:
        notes.extend(lines)
    return [outdir / "stacks" / plan.name for plan in plans]


def _fresh_kernel() -> None:
    """Stop the jsii kernel (Node.js) and start a new one with the same assemblies loaded, forgetting every object
    of the old one. jsii has no API for this; these are the internals of jsii 1.x's process provider
    (jsii/_kernel/providers/process.py, _reference_map.py, _runtime.py), pinned in constraints.txt."""
    from jsii import _reference_map
    from jsii._runtime import kernel

    provider_process = type(kernel.provider).__dict__["_process"].fget  # a memoized property: its cache below
    cells = dict(zip(provider_process.__code__.co_freevars, provider_process.__closure__ or (), strict=True))
    stored = cells["stored"].cell_contents
    if stored:
        stored.pop().stop()
    _reference_map._refs._refs.clear()
    for name, module in list(sys.modules.items()):
        assembly = getattr(module, "__jsii_assembly__", None) if name.endswith("._jsii") else None
        if assembly is not None:  # in import order: dependencies first
            type(assembly).load(assembly.name, assembly.version, assembly.module, assembly.filename)


def stable_json(value: object) -> str:
    """JSON as cdktf writes its manifest (json-stable-stringify, space 2): sorted keys, an empty array or object
    opened and closed on lines of their own."""

    def render(item: object, indent: str) -> str:
        inner = indent + "  "
        if isinstance(item, dict):
            entries = [f"\n{inner}{json.dumps(k, ensure_ascii=False)}: {render(item[k], inner)}" for k in sorted(item)]
            body = ",".join(entries)
            return "{" + body + "\n" + indent + "}"
        if isinstance(item, list):
            return "[" + ",".join(f"\n{inner}{render(v, inner)}" for v in item) + "\n" + indent + "]"
        return json.dumps(item, ensure_ascii=False)

    return render(value, "")


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
