"""`required_version` in the `terraform` block: the oldest Terraform that understands what a stack writes.

Found from the synthesized document itself, so a feature added anywhere raises it without a second list
to keep in sync. Each entry names the Terraform release that introduced the feature (Terraform's
CHANGELOG and language docs: `moved` 1.1, custom conditions 1.2, `terraform_data` 1.4, `import` and
`check` blocks 1.5, `removed` 1.7, the S3 backend's `use_lockfile` 1.10).
"""

from __future__ import annotations

from typing import Any

from cdktf import TerraformStack

FLOOR = (1, 0)  # terraform_json output of cdktf 0.21 and the providers' own floors are all older


def _lifecycle_blocks(tf: dict[str, Any]):
    for section in ("resource", "data"):
        for bodies in (tf.get(section) or {}).values():
            for body in bodies.values():
                yield body.get("lifecycle") or {}


def feature_versions(tf: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """{feature the document uses: the Terraform version that introduced it}."""
    used: dict[str, tuple[int, int]] = {}
    for block, version in (("moved", (1, 1)), ("import", (1, 5)), ("check", (1, 5)), ("removed", (1, 7))):
        if tf.get(block):
            used[f"{block} blocks"] = version
    for lifecycle in _lifecycle_blocks(tf):
        for key in ("precondition", "postcondition", "replace_triggered_by"):
            if lifecycle.get(key):
                used[f"lifecycle {key}"] = (1, 2)
    if "terraform_data" in (tf.get("resource") or {}):
        used["terraform_data"] = (1, 4)
    s3 = ((tf.get("terraform") or {}).get("backend") or {}).get("s3") or {}
    if s3.get("use_lockfile"):
        used["S3 backend use_lockfile"] = (1, 10)
    return used


def required_terraform_version(tf: dict[str, Any]) -> str:
    needed = max([FLOOR, *feature_versions(tf).values()])
    return f">= {needed[0]}.{needed[1]}"


class TerraformVersionStack(TerraformStack):
    """A stack whose `terraform.required_version` is the minimum its own output needs.

    `to_terraform` is the one call from Node into Python per stack (cdktf's synth asks the stack for its
    document): the document is finished in Python (`_finish`), as a whole, and handed back.
    """

    def to_terraform(self) -> Any:
        return self._finish(super().to_terraform())

    def to_hcl_terraform(self) -> Any:
        # cdktf's own HCL renderer (SYNTH_HCL_OUTPUT in Node's environment) would bypass _finish; main.py turns
        # it off and writes HCL from the finished JSON document (monitors/tooling/hcl.py).
        raise NotImplementedError("cdktf's HCL output: use main.py --hcl (monitors/tooling/hcl.py)")

    def add_outputs(self, outputs: dict[str, dict[str, Any]]) -> None:
        """Stack outputs {name: {"value": ..., "description": ...}} in one jsii call, written as `TerraformOutput`s
        in the stack would be (monitors/tooling/attributes.py)."""
        from monitors.tooling.attributes import OUTPUTS, output_id

        names: set[str] = self.__dict__.setdefault("_output_ids", set())
        for name in outputs:
            if output_id(name) in names:
                raise ValueError(f"There is already an output named {name!r} in this stack")
            names.add(output_id(name))
        self.add_override(f"{OUTPUTS}.b{len(self.__dict__.setdefault('_output_batches', []))}", outputs)
        self.__dict__["_output_batches"].append(list(outputs))

    def _finish(self, tf: dict[str, Any]) -> dict[str, Any]:
        from monitors.tooling.attributes import expand

        expand(tf)  # first: references and the features below may be in the attributes and outputs
        self._rewrite(tf)
        self._set_required_version(tf)
        return tf

    def _rewrite(self, tf: dict[str, Any]) -> None:
        """What a subclass changes in the document before `required_version` is found (readable addresses)."""

    def _set_required_version(self, tf: dict[str, Any]) -> None:
        # Found from the document without it (required_version itself needs no feature); written as the stack
        # override `terraform.required_version` would be (cdktf's metadata lists the stack's overridden keys).
        tf.setdefault("terraform", {})["required_version"] = required_terraform_version(tf)
        metadata = tf.setdefault("//", {}).setdefault("metadata", {})
        overrides = metadata.setdefault("overrides", {}).setdefault("stack", [])
        if "terraform" not in overrides:
            overrides.append("terraform")
