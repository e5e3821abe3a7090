"""HCL output (`main.py --hcl`, `synthesize(..., hcl=True)`): cdk.tf holds the same configuration as cdk.tf.json.

Checked with Terraform itself: `terraform fmt -check` on the full example, literal text that stays literal
(`terraform apply` of outputs), and a plan of the full example from the HCL equal to the plan from the JSON
(against the local moto server; the awscc job definitions created through boto3 as in test_apply_cycle.py).
"""

from __future__ import annotations

import json
import shutil

import pytest
from emulator import harness
from test_apply_cycle import _awscc_substitutes, _config

from monitors.tooling.hcl import HclError, string_expression, to_hcl
from monitors.tooling.hcl_blocks import BLOCKS

HOSTILE = {
    "dollar": '$${file("/etc/hostname")}',
    "directive": "%%{if true}x%%{endif}",
    "quotes": 'a "b" \\c\nd\te',
    "dollars": "$$.Execution.Id and $5 and 100%",
}
LITERAL = {
    "dollar": '${file("/etc/hostname")}',
    "directive": "%{if true}x%{endif}",
    "quotes": 'a "b" \\c\nd\te',
    "dollars": "$$.Execution.Id and $5 and 100%",
}


@pytest.mark.parametrize(
    "template, expression",
    [
        ("${aws_iam_role.monitoring_role.arn}", "aws_iam_role.monitoring_role.arn"),
        ("${jsonencode(local.baseline_event_data_quality)}", "jsonencode(local.baseline_event_data_quality)"),
        (
            '${try(jsondecode(self.result).status, "") == "STARTED"}',
            'try(jsondecode(self.result).status, "") == "STARTED"',
        ),
        ("${aws_cloudwatch_log_group.logs.arn}:*", '"${aws_cloudwatch_log_group.logs.arn}:*"'),
        ('error: ${try(jsondecode(self.result).error, "}")}.', '"error: ${try(jsondecode(self.result).error, "}")}."'),
        ("${a}${b}", '"${a}${b}"'),
        ('$${not} "q" \\ %%{x}', '"$${not} \\"q\\" \\\\ %%{x}"'),
        ("line\nnext", '"line\\nnext"'),
    ],
)
def test_json_strings_become_the_same_hcl_expression(template, expression):
    assert string_expression(template) == expression


def test_unknown_block_structure_fails_rather_than_guessing():
    with pytest.raises(HclError, match="aws_s3_bucket.*monitors/tooling/hcl_blocks.py"):
        to_hcl({"resource": {"aws_s3_bucket": {"b": {"bucket": "x"}}}})
    with pytest.raises(HclError, match="top-level variable not supported"):
        to_hcl({"variable": {"v": {}}})


@pytest.mark.slow
def test_block_table_matches_the_aws_provider_schema(terraform, tmp_path):
    """The aws entries of monitors/tooling/hcl_blocks.py are the provider schema's nested blocks, nothing more or
    less."""
    (tmp_path / "main.tf.json").write_text(
        json.dumps({"terraform": {"required_providers": {"aws": {"source": "hashicorp/aws"}}}})
    )
    tf = terraform(tmp_path)
    tf.init(backend=False)
    rc, out, err = tf.execute_command("providers", "schema", "-json")
    assert rc == 0, err
    schema = json.loads(out)["provider_schemas"]["registry.terraform.io/hashicorp/aws"]

    def blocks(block: dict) -> dict:
        return {name: blocks(nested["block"]) for name, nested in block.get("block_types", {}).items()}

    assert BLOCKS["provider"]["aws"] == blocks(schema["provider"]["block"])
    for rtype, table in BLOCKS["resource"].items():
        if rtype.startswith("aws_"):
            assert table == blocks(schema["resource_schemas"][rtype]["block"]), rtype
    for dtype, table in BLOCKS["data"].items():
        assert table == blocks(schema["data_source_schemas"][dtype]["block"]), dtype


@pytest.mark.slow
def test_literal_text_stays_literal_in_hcl_and_in_json_documents(terraform, tmp_path):
    """Escaped template sequences, quotes, backslashes and control characters evaluate to the same text from the
    HCL as from the JSON, as map keys too, and through jsonencode(local.x) (monitors/constructs/json_documents.py)."""
    tf = {
        "locals": {"document": {"values": HOSTILE, "keys": {v: k for k, v in HOSTILE.items()}}},
        "output": {"values": {"value": HOSTILE}, "document": {"value": "${jsonencode(local.document)}"}},
    }
    expected = {"values": LITERAL, "document": {"values": LITERAL, "keys": {v: k for k, v in LITERAL.items()}}}
    for name, text in (("json", json.dumps(tf)), ("hcl", to_hcl(tf))):
        workdir = tmp_path / name
        workdir.mkdir()
        (workdir / ("main.tf.json" if name == "json" else "main.tf")).write_text(text)
        cli = terraform(workdir)
        cli.init()
        cli.apply()
        rc, out, err = cli.execute_command("output", "-json")
        assert rc == 0, err
        outputs = {k: v["value"] for k, v in json.loads(out).items()}
        outputs["document"] = json.loads(outputs["document"])
        assert outputs == expected, name


@pytest.mark.slow
def test_main_writes_formatted_hcl_for_the_full_example(terraform, tmp_path, cli):
    """`main.py --hcl` writes cdk.tf and no cdk.tf.json; `terraform fmt -check` finds nothing to change (it parses
    the whole file, awscc and docker resources included); a JSON synth into the same folder removes cdk.tf."""
    outdir = tmp_path / "cdktf.out"
    result = cli(["--example", "--hcl", "--outdir", str(outdir)])
    assert result.returncode == 0, result.stderr
    stack = outdir / "stacks" / "sagemaker-model-monitoring"
    assert sorted(p.name for p in stack.iterdir()) == ["assets", "cdk.tf"]
    assert "wrote " in (err := result.stderr) and err.split("wrote ", 1)[1].split("\n", 1)[0].endswith("/cdk.tf")
    text = (stack / "cdk.tf").read_text()
    assert "definition = jsonencode(local.baseline_state_machine_definition)" in text
    assert "moved {\n  from = aws_iam_role.monitoring_role_3C7E8759\n  to   = aws_iam_role.monitoring_role\n}" in text
    assert 'required_version = ">= 1.2"' in text
    rc, out, err = terraform(stack).execute_command("fmt", "-check", "-diff", "-no-color", "cdk.tf")
    assert rc == 0, out + err
    assert cli(["--example", "--outdir", str(outdir)]).returncode == 0
    assert sorted(p.name for p in stack.iterdir()) == ["assets", "cdk.tf.json"]


@pytest.mark.slow
def test_hcl_plans_exactly_like_the_json(emulated_account, synth, terraform, tmp_path):
    """The full example (awscc definitions stood in by boto3-created ones) planned from cdk.tf.json and from the
    HCL written from it: the same resource changes and planned values (every attribute, evaluated)."""
    config = _config(endpoint_name="hcl-endpoint", stack_name="hcl-check")
    tf, stack = synth(config), synth.folder(config)
    subs = _awscc_substitutes(
        tf, emulated_account.client("sagemaker"), "arn:aws:iam::123456789012:role/hcl-check-monitoring"
    )
    plans = {}
    for kind in ("json", "hcl"):
        workdir = tmp_path / kind
        harness.emulator_copy(stack, workdir, emulated_account.endpoint, substitutions=subs)
        if kind == "hcl":
            prepared = workdir / "cdk.tf.json"
            (workdir / "cdk.tf").write_text(to_hcl(json.loads(prepared.read_text())))
            prepared.unlink()
        runner = terraform(workdir)
        runner.init()
        if kind == "hcl":
            rc, out, err = runner.execute_command("validate", "-no-color")
            assert rc == 0, out + err
        assert runner.run("plan", "-detailed-exitcode", "-out=plan.tfplan").retcode == 2
        plans[kind] = runner.show("plan.tfplan")
    for key in ("resource_changes", "planned_values"):
        assert plans["hcl"][key] == plans["json"][key], key
    # The "configuration" section differs in form only: Terraform reports a JSON-syntax string as a constant
    # ("${aws_x.y.arn}") where HCL gives references. Its resources and their order are the same.
    addresses = {
        kind: [r["address"] for r in plan["configuration"]["root_module"]["resources"]] for kind, plan in plans.items()
    }
    assert addresses["hcl"] == addresses["json"]
    assert len(plans["json"]["resource_changes"]) > 40


def test_hcl_of_a_stack_folder_keeps_its_state_note(tmp_path):
    """A stack folder written as HCL that left the configuration is kept, naming its state (read from cdk.tf)."""
    from monitors.tooling.output import _unconfigured

    stack = tmp_path / "cdktf.out" / "stacks" / "gone"
    stack.mkdir(parents=True)
    (stack / "cdk.tf").write_text(
        to_hcl({"terraform": {"backend": {"local": {"path": "../../../terraform.gone.tfstate"}}}})
    )
    (tmp_path / "terraform.gone.tfstate").write_text("{}")
    removed, notes = _unconfigured(tmp_path / "cdktf.out" / "stacks", set())
    assert removed == [] and "its state" in notes[0] and "terraform.gone.tfstate" in notes[0]
    shutil.rmtree(stack)


@pytest.mark.slow
def test_cdktf_synth_hcl_environment_gets_our_hcl(terraform, tmp_path):
    """`cdktf synth --hcl` runs the app with SYNTH_HCL_OUTPUT=true: main.py writes its own HCL (cdktf's Node-side
    renderer, which that variable would turn on, drops the moved blocks and required_version)."""
    import os
    import subprocess
    import sys

    from conftest import REPO

    outdir = tmp_path / "out"
    env = {**os.environ, "SYNTH_HCL_OUTPUT": "true"}
    proc = subprocess.run(
        [sys.executable, str(REPO / "main.py"), "--example", "--outdir", str(outdir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    stack = outdir / "stacks" / "sagemaker-model-monitoring"
    assert sorted(p.name for p in stack.iterdir()) == ["assets", "cdk.tf"]
    text = (stack / "cdk.tf").read_text()
    assert text.startswith("terraform {\n  required_version = ") and "\nmoved {\n" in text
    manifest = json.loads((outdir / "manifest.json").read_text())
    assert (
        manifest["stacks"]["sagemaker-model-monitoring"]["synthesizedStackPath"]
        == "stacks/sagemaker-model-monitoring/cdk.tf"
    )
    rc, out, err = terraform(stack).execute_command("fmt", "-check", "-no-color", "cdk.tf")
    assert rc == 0, out + err


def test_a_block_type_the_writer_does_not_know_stops_the_synth_with_nothing_written(tmp_path, cli, monkeypatch):
    monkeypatch.delitem(BLOCKS["resource"], "aws_iam_role")
    outdir = tmp_path / "cdktf.out"
    result = cli(["--example", "--hcl", "--outdir", str(outdir)])
    assert result.returncode == 2
    err = result.stderr
    assert (
        "error: --hcl: HCL output: the nested blocks of resource 'aws_iam_role' (aws_iam_role) are not known; "
        "add them to monitors/tooling/hcl_blocks.py; nothing was written"
    ) in err
    assert "Traceback" not in err and not (outdir / "stacks").exists()
