"""The SeedFarmer module: deployspec.yaml (checked by seed-farmer's own models and run, command for command,
against the moto server) and modulestack.yaml (cfn-lint, the project's IAM wildcard rules).

The deploy test lays the module out as SeedFarmer's CodeBuild run does (bundle/seedfarmer.yaml beside
bundle/module/, each phase run in bundle/module with the SeedFarmer variables, a failing command stopping the
phase) and runs the phases' commands as deployspec.yaml holds them. What stands in for AWS: AWS_ENDPOINT_URL
(the aws provider and Terraform's S3 backend both honour it) and a Terraform CLI config that installs providers
from the local mirror /opt/tf-plugins. There is no awscc or docker provider binary here, so the deployed
configuration is data quality only, without baseline generation: aws provider resources only.
`seedfarmer metadata add` is the real CLI (.venv-seedfarmer, see requirements-seedfarmer.txt).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import MINIMAL, REPO, one
from emulator import harness

from monitors.constructs.iam import WILDCARD_ONLY_ACTIONS

DEPLOYSPEC = yaml.safe_load((REPO / "deployspec.yaml").read_text())
MODULESTACK = yaml.safe_load((REPO / "modulestack.yaml").read_text())
SEEDFARMER_BIN = REPO / ".venv-seedfarmer" / "bin"
PHASES = ("install", "pre_build", "build", "post_build")  # CodeBuild's order
# Cloud Control API actions have no resource types (Service Authorization Reference, AWS Cloud Control API).
CLOUD_CONTROL_ACTIONS = {f"cloudformation:{verb}Resource" for verb in ("Create", "Get", "Update", "Delete")} | {
    "cloudformation:GetResourceRequestStatus"
}

STATE_BUCKET = "mlops-terraform-state"
MODEL_BUCKET = "mlops-models-123456789012"
STACK = "mlops-dev-monitoring"
# The manifest the README shows a SeedFarmer user (section "SeedFarmer module"): the one the deploy test deploys.
README_MANIFEST = (
    (REPO / "README.md").read_text().split("<!-- seedfarmer-manifest -->\n```yaml\n", 1)[1].split("```", 1)[0]
)
# What SeedFarmer makes of a manifest, with its own code: ModuleManifest parses it; the environment is
# SEEDFARMER_PARAMETER_<upper_snake_case> = value (JSON for non-strings), as DeployModule._env_vars builds it; the
# modulestack parameters are matched as deploy_module_stack matches them (template name in upper snake case).
SEEDFARMER_VIEW = """
import json, sys, yaml
from seedfarmer.models.manifests import ModuleManifest
from seedfarmer.utils import upper_snake_case
module = ModuleManifest(**yaml.safe_load(open(sys.argv[1])))
env = {f"SEEDFARMER_PARAMETER_{p.upper_snake_case}": p.value if isinstance(p.value, str) else json.dumps(p.value)
       for p in module.parameters}
given = {**{p.upper_snake_case: p.value for p in module.parameters},
         **{k: k for k in ("PROJECT_NAME", "DEPLOYMENT_NAME", "MODULE_NAME", "ROLE_NAME")}}
template = yaml.safe_load(open(sys.argv[2]))["Parameters"]
stack = {k: given.get(upper_snake_case(k)) for k in template}
print(json.dumps({"env": env, "stack_parameters": stack}))
"""


def _seedfarmer_bin(name: str) -> str:
    if not (SEEDFARMER_BIN / name).exists():  # fail, never skip (like checkov's venv)
        pytest.fail(
            f"{SEEDFARMER_BIN / name} missing: `make setup` creates .venv-seedfarmer from requirements-seedfarmer.txt",
            pytrace=False,
        )
    return str(SEEDFARMER_BIN / name)


def _run_seedfarmer_python(code: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([_seedfarmer_bin("python"), "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120)


def _project(root: Path) -> Path:
    """A SeedFarmer project root (seedfarmer.yaml; unknown manifest keys are errors)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "seedfarmer.yaml").write_text("project: mlops\nmanifestValidationFailOnUnknownFields: true\n")
    return root


VALIDATE = """
import json, sys, yaml
from seedfarmer.models import DeploySpec
spec = DeploySpec(**yaml.safe_load(open(sys.argv[1] if len(sys.argv) > 1 else 'deployspec.yaml')))
print(json.dumps(spec.model_dump(by_alias=False)))
"""


def test_deployspec_is_valid_for_seedfarmers_own_model(tmp_path):
    root = _project(tmp_path)
    shutil.copy(REPO / "deployspec.yaml", root / "deployspec.yaml")
    result = _run_seedfarmer_python(VALIDATE, root)
    assert result.returncode == 0, result.stderr
    spec = json.loads(result.stdout)
    assert spec["publish_generic_env_variables"] is True  # SEEDFARMER_PARAMETER_*, which main.py reads
    assert spec["build_type"] == "BUILD_GENERAL1_SMALL"
    for execution in ("deploy", "destroy"):
        for phase in PHASES:
            assert spec[execution]["phases"][phase]["commands"] == DEPLOYSPEC[execution]["phases"].get(phase, {}).get(
                "commands", []
            )
    assert any("apply" in c and "tfplan" in c for c in spec["deploy"]["phases"]["build"]["commands"])
    assert any("plan -destroy" in c for c in spec["destroy"]["phases"]["build"]["commands"])


def test_seedfarmers_model_rejects_a_misspelt_phase(tmp_path):
    """The check above can fail: the same model refuses a deployspec with an unknown key."""
    root = _project(tmp_path)
    bad = {**DEPLOYSPEC, "deploy": {"phases": {"biuld": DEPLOYSPEC["deploy"]["phases"]["build"]}}}
    (root / "deployspec.yaml").write_text(yaml.safe_dump(bad))
    result = _run_seedfarmer_python(VALIDATE, root)
    assert result.returncode != 0
    assert "The following keys are not allowed: {'biuld'" in result.stderr


def test_modulestack_passes_cfn_lint():
    result = subprocess.run(
        [str(REPO / ".venv" / "bin" / "cfn-lint"), str(REPO / "modulestack.yaml")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert (result.returncode, result.stdout) == (0, "")


def _statements() -> list[dict]:
    as_list = lambda v: v if isinstance(v, list) else [v]  # noqa: E731
    [policy] = [r for r in MODULESTACK["Resources"].values() if r["Type"] == "AWS::IAM::Policy"]
    return [
        {**st, "Action": as_list(st["Action"]), "Resource": as_list(st["Resource"])}
        for st in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_modulestack_follows_the_projects_iam_wildcard_rules():
    """The rules tests/test_security.py applies to the roles the stack creates, applied to the deploy role."""
    statements = _statements()
    assert len(statements) >= 8
    for st in statements:
        assert st["Effect"] == "Allow"
        assert not any(a == "*" or a.endswith(":*") for a in st["Action"]), st["Sid"]
        if "*" in st["Resource"]:
            assert set(st["Action"]) <= WILDCARD_ONLY_ACTIONS | CLOUD_CONTROL_ACTIONS, st["Sid"]
    passes = [st for st in statements if "iam:PassRole" in st["Action"]]
    assert [st["Action"] for st in passes] == [["iam:PassRole"]]
    # Only this deployment's roles, and only to the services that assume them.
    assert passes[0]["Condition"] == {
        "StringEquals": {
            "iam:PassedToService": [
                "sagemaker.amazonaws.com",
                "lambda.amazonaws.com",
                "states.amazonaws.com",
                "events.amazonaws.com",
            ]
        }
    }
    assert passes[0]["Resource"] == [{"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${StackName}-*"}]


def test_modulestack_stack_name_pattern_keeps_every_name_under_the_prefix(synth, tmp_path):
    """The policy names <StackName>-* (and the repository <StackName>-baseline); the stack shortens longer names
    with a hash, so StackName's pattern stops where the baseline name (56 characters) still holds it whole."""
    pattern = MODULESTACK["Parameters"]["StackName"]["AllowedPattern"]
    longest = "m" + "-x" * 23
    assert len(longest) == 47 and re.fullmatch(pattern, longest) and not re.fullmatch(pattern, longest + "x")
    assert not re.fullmatch(pattern, "mlops_dev")  # '_' becomes '-' in the role name
    assert not re.fullmatch(pattern, "Mlops-dev")  # the ECR repository name is lower case
    assert one(synth({**MINIMAL, "stack_name": longest}), "aws_iam_role")["name"] == f"{longest}-monitoring"
    baseline = {
        **MINIMAL,
        "baseline_training_data_s3_uri": f"s3://{MINIMAL['model_bucket_arn'].split(':::')[1]}/train.csv",
        "baseline_output_data_s3_uri": f"s3://{MINIMAL['model_bucket_arn'].split(':::')[1]}/baselines/",
        "data_quality_baseline_s3_uri": None,
    }
    baseline = {k: v for k, v in baseline.items() if v is not None}
    tf = synth({**baseline, "stack_name": longest})
    assert one(tf, "aws_ecr_repository")["name"] == f"{longest}-baseline"
    one_more = synth({**baseline, "stack_name": longest + "x"}, tmp_path / "longer")
    assert one(one_more, "aws_ecr_repository")["name"] != f"{longest}x-baseline"


@pytest.fixture(scope="module")
def seedfarmer_view(tmp_path_factory) -> dict:
    """The README manifest as SeedFarmer sees it: its environment and the modulestack's parameter values."""
    root = tmp_path_factory.mktemp("manifest")
    (root / "manifest.yaml").write_text(README_MANIFEST)
    result = subprocess.run(
        [_seedfarmer_bin("python"), "-c", SEEDFARMER_VIEW, "manifest.yaml", str(REPO / "modulestack.yaml")],
        cwd=_project(root),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_readme_manifest_fills_every_modulestack_parameter(seedfarmer_view):
    """SeedFarmer fills ProjectName/DeploymentName/ModuleName/RoleName; the rest come from the manifest, as
    strings (deploy_module_stack passes only string and list values to the template)."""
    assert seedfarmer_view["stack_parameters"] == {
        "ProjectName": "PROJECT_NAME",
        "DeploymentName": "DEPLOYMENT_NAME",
        "ModuleName": "MODULE_NAME",
        "RoleName": "ROLE_NAME",
        "StackName": STACK,
        "ModelBucketArn": f"arn:aws:s3:::{MODEL_BUCKET}",
        "BackendS3Bucket": STATE_BUCKET,
    }
    assert seedfarmer_view["env"]["SEEDFARMER_PARAMETER_ENABLE_DATA_QUALITY_MONITOR"] == "true"


def _bundle(tmp_path: Path) -> Path:
    """SeedFarmer's CodeBuild layout: bundle/seedfarmer.yaml and bundle/module/ (the module's files)."""
    bundle = _project(tmp_path / "bundle")
    module = bundle / "module"
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (module / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, module / name)
    # The environments `make runtime` would install (already installed here: it only confirms them).
    for env in (".venv", ".tools"):
        (module / env).symlink_to((REPO / env).resolve())
    return module


def _environment(tmp_path: Path, endpoint: str, parameters: dict[str, str]) -> dict[str, str]:
    tools = tmp_path / "bin"
    tools.mkdir(exist_ok=True)
    if not (tools / "seedfarmer").exists():
        (tools / "seedfarmer").symlink_to(_seedfarmer_bin("seedfarmer"))
    cli_config = tmp_path / "terraformrc"
    cli_config.write_text(
        f'provider_installation {{\n  filesystem_mirror {{\n    path = "{harness.PLUGIN_DIR}"\n  }}\n}}\n'
        "disable_checkpoint = true\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEEDFARMER_", "AWS_", "TF_"))}
    env.update(
        {
            "PATH": f"{tools}{os.pathsep}{env['PATH']}",
            "SEEDFARMER_PROJECT_NAME": "mlops",
            "SEEDFARMER_DEPLOYMENT_NAME": "dev",
            "SEEDFARMER_MODULE_NAME": "monitoring-dq",
            "SEEDFARMER_MODULE_METADATA": "",
            **parameters,
            "AWS_ENDPOINT_URL": endpoint,
            **harness.CREDENTIALS,
            "AWS_REGION": harness.REGION,
            "AWS_DEFAULT_REGION": harness.REGION,
            "AWS_EC2_METADATA_DISABLED": "true",
            "TF_CLI_CONFIG_FILE": str(cli_config),
            "TF_IN_AUTOMATION": "1",
        }
    )
    return env


def _run_phases(spec: dict, execution: str, module: Path, env: dict[str, str]) -> tuple[int, str, str]:
    """Each phase in one bash (CodeBuild: env.shell bash, as SeedFarmer's buildspec sets), in the module folder;
    a command that fails stops the run with its exit code (on-failure: ABORT)."""
    out, err = [], []
    for phase in PHASES:
        commands = spec[execution]["phases"].get(phase, {}).get("commands", [])
        if not commands:
            continue
        script = "".join(
            f'{command}\nrc=$?; if [ $rc -ne 0 ]; then echo "[{phase}] command failed with $rc" >&2; exit $rc; fi\n'
            for command in commands
        )
        result = subprocess.run(
            ["bash", "-c", script],
            cwd=module,
            env=env,
            capture_output=True,
            text=True,
            timeout=1200,
            stdin=subprocess.DEVNULL,
        )
        out.append(result.stdout)
        err.append(result.stderr)
        if result.returncode != 0:
            return result.returncode, "".join(out), "".join(err)
    return 0, "".join(out), "".join(err)


def test_deploy_phase_refuses_local_state_before_anything_runs(moto_server, seedfarmer_view, tmp_path):
    module = _bundle(tmp_path)
    parameters = {
        k: v
        for k, v in seedfarmer_view["env"].items()
        if k.removeprefix("SEEDFARMER_PARAMETER_") not in ("BACKEND", "BACKEND_S3_BUCKET", "STACK_NAME")
    }
    env = _environment(
        tmp_path, moto_server.endpoint, {**parameters, "SEEDFARMER_PARAMETER_BACKEND_S3_KEY": "elsewhere/state"}
    )
    build_only = {"deploy": {"phases": {"build": DEPLOYSPEC["deploy"]["phases"]["build"]}}}
    rc, _, err = _run_phases(build_only, "deploy", module, env)
    assert rc == 2
    assert err.splitlines()[:4] == [
        "error: backend: must be s3 in a SeedFarmer deployment (CodeBuild keeps no local state; got 'local')",
        "error: backend_s3_bucket: is required in a SeedFarmer deployment (the state bucket modulestack.yaml grants)",
        "error: stack_name: is required in a SeedFarmer deployment (modulestack.yaml scopes the role and the state "
        "key by it)",
        "error: backend_s3_key: must be unset in a SeedFarmer deployment (modulestack.yaml grants "
        "<stack_name>/terraform.tfstate only)",
    ]
    assert not (module / "cdktf.out").exists()


@pytest.mark.slow
def test_deploy_then_destroy_phases_against_moto(moto_server, terraform_bin, seedfarmer_view, tmp_path):
    """The README's manifest, deployed and destroyed by the deployspec's phases."""
    s3 = moto_server.client("s3")
    for bucket in (STATE_BUCKET, MODEL_BUCKET):
        if bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
            s3.create_bucket(Bucket=bucket)
    module = _bundle(tmp_path)
    env = _environment(tmp_path, moto_server.endpoint, seedfarmer_view["env"])

    rc, out, err = _run_phases(DEPLOYSPEC, "deploy", module, env)
    assert rc == 0, f"{out[-4000:]}\n{err[-4000:]}"

    # The state is in the parameter's bucket, under the key modulestack.yaml grants.
    state = json.loads(s3.get_object(Bucket=STATE_BUCKET, Key=f"{STACK}/terraform.tfstate")["Body"].read())
    assert {r["type"] for r in state["resources"] if r["mode"] == "managed"} == {
        "aws_iam_role",
        "aws_iam_role_policy",
        "aws_sagemaker_data_quality_job_definition",
        "aws_sagemaker_monitoring_schedule",
    }
    sagemaker = moto_server.client("sagemaker")
    schedule = sagemaker.describe_monitoring_schedule(MonitoringScheduleName="churn-endpoint-dq-schedule")
    # The outputs are the module's metadata (written by `seedfarmer metadata add` where SeedFarmer reads it).
    metadata = json.loads((module / "SEEDFARMER_MODULE_METADATA").read_text())
    assert metadata == {
        "monitoring_role_arn": f"arn:aws:iam::123456789012:role/{STACK}-monitoring",
        "data_quality_schedule_name": "churn-endpoint-dq-schedule",
        "data_quality_schedule_arn": schedule["MonitoringScheduleArn"],
        "data_quality_job_definition_name": schedule["MonitoringScheduleConfig"]["MonitoringJobDefinitionName"],
    }
    # SeedFarmer's tags reach the resources (main.py reads SEEDFARMER_PROJECT_NAME etc.).
    tags = {t["Key"]: t["Value"] for t in sagemaker.list_tags(ResourceArn=schedule["MonitoringScheduleArn"])["Tags"]}
    assert tags["seedfarmer:project-name"] == "mlops" and tags["seedfarmer:module-name"] == "monitoring-dq"

    rc, out, err = _run_phases(DEPLOYSPEC, "destroy", module, env)
    assert rc == 0, f"{out[-4000:]}\n{err[-4000:]}"
    state = json.loads(s3.get_object(Bucket=STATE_BUCKET, Key=f"{STACK}/terraform.tfstate")["Body"].read())
    assert [r for r in state["resources"] if r["mode"] == "managed"] == []
    with pytest.raises(sagemaker.exceptions.ClientError):
        sagemaker.describe_monitoring_schedule(MonitoringScheduleName="churn-endpoint-dq-schedule")
