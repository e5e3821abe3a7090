"""Tooling (issue 21 item 7): `main.py --check` validates and writes nothing; `main.py --schema` prints the flat
configuration's JSON Schema (checked with the jsonschema package against the bundled example, the seed's sample
manifests and a fleet); a synth started with the system's PATH (Node 20 at /usr/bin/node) prints no jsii banner."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import jsonschema
import pytest
import yaml
from conftest import MINIMAL, REPO, seed_manifest

from monitors.settings.model import PARAMETERS, Settings
from monitors.tooling.node import BUNDLED_NODE, use_project_node
from monitors.tooling.schema import configuration_schema

EXAMPLE = REPO / "examples" / "full.yaml"


# --- --check ---------------------------------------------------------------------------------------------------
def test_check_valid_configuration_writes_nothing(cli, tmp_path):
    outdir = tmp_path / "out"
    result = cli(["--check", "--outdir", str(outdir)], config=MINIMAL)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[-1] == (
        "configuration valid: 1 endpoint(s) in 1 stack(s) (smm-my-endpoint-us-east-2); nothing was written (--check)"
    )
    assert not outdir.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.yaml"]  # no state, no lock, no output


def test_check_a_fleet_names_its_stacks(cli, tmp_path):
    config = {
        **{k: v for k, v in MINIMAL.items() if k != "endpoint_name"},
        "endpoints": [{"endpoint_name": "churn"}, {"endpoint_name": "fraud"}],
    }
    result = cli(["--check"], config=config)
    assert result.returncode == 0, result.stderr
    assert "2 endpoint(s) in 2 stack(s) (smm-churn-us-east-2, smm-fraud-us-east-2)" in result.stderr
    assert not (tmp_path / "cdktf.out").exists()


def test_check_bad_configuration_exits_2_and_writes_nothing(cli, tmp_path):
    result = cli(["--check"], config={**MINIMAL, "data_quality_instance_type": "ml.m5.huge", "region": "Ohio"})
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert [e.split(":")[1].strip() for e in errors] == ["data_quality_instance_type", "region"], errors
    assert result.stderr.splitlines()[-1] == "2 configuration problem(s); nothing was written."
    assert not (tmp_path / "cdktf.out").exists()


def test_check_loads_no_cdktf(tmp_path):
    """--check is validation only: no jsii, no Node started (fast, and usable where Node is missing)."""
    config = tmp_path / "c.yaml"
    config.write_text(yaml.safe_dump(MINIMAL))
    code = (
        "import sys, main; rc = main.main(['--check', '--config', sys.argv[1]]); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jsii', 'cdktf'))); sys.exit(rc)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(config)], cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


# --- --schema --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> dict:
    done = subprocess.run(
        [sys.executable, str(REPO / "main.py"), "--schema"],
        cwd=tmp_path_factory.mktemp("schema"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    parsed = json.loads(done.stdout)
    assert parsed == configuration_schema()
    jsonschema.Draft202012Validator.check_schema(parsed)
    return parsed


def _problems(schema: dict, document: dict) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema)
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document))


def _manifest_parameters(text: str) -> dict:
    return {entry["name"]: entry["value"] for entry in yaml.safe_load(text)["parameters"]}


def test_schema_has_every_flat_parameter_with_description_and_default(schema):
    properties = schema["properties"]
    assert list(properties) == [*PARAMETERS, "endpoints", "stack_per_endpoint"]
    defaults = Settings.model_validate({**MINIMAL})
    for name in PARAMETERS:
        prop = properties[name]
        assert prop["description"], name
        assert "default" in prop, name
        assert not {"group", "stack_level", "flat", "title"} & set(prop), name  # pydantic's, not JSON Schema's
        if name not in MINIMAL and name != "stack_name":
            value = defaults.parameter(name)
            assert prop["default"] == (value if not hasattr(value, "model_dump") else value.model_dump()), name
    assert properties["data_quality_instance_type"]["default"] == "ml.m5.large"
    assert properties["model_quality_max_runtime_in_seconds"]["default"] == 1800
    assert properties["backend"]["enum"] == ["local", "s3", "cloud"]
    assert properties["stack_per_endpoint"]["default"] is True


def test_schema_validates_the_bundled_example_and_the_seed_samples(schema):
    assert _problems(schema, yaml.safe_load(EXAMPLE.read_text())) == []
    for sample in ("basic", "baseline"):
        assert _problems(schema, _manifest_parameters(seed_manifest(sample))) == [], sample


def test_schema_validates_a_fleet_and_rejects_what_the_synth_rejects(schema):
    fleet = {
        "model_bucket_arn": MINIMAL["model_bucket_arn"],
        "enable_data_quality_monitor": True,
        "endpoints": [{"endpoint_name": "churn", "data_quality_instance_type": "ml.m5.xlarge"}, {"endpoint_name": "b"}],
    }
    assert _problems(schema, fleet) == []
    assert _problems(schema, {**MINIMAL, "data_quality_instance_typo": "ml.m5.large"}) == [
        ": Additional properties are not allowed ('data_quality_instance_typo' was unexpected)"
    ]
    assert _problems(schema, {**MINIMAL, "backend": "consul"})[0].startswith("backend: 'consul' is not one of")
    [alarm] = jsonschema.Draft202012Validator(schema).iter_errors({**MINIMAL, "data_quality_drift_alarms": [{}]})
    assert list(alarm.absolute_path) == ["data_quality_drift_alarms"]
    assert sorted(e.message for e in alarm.context) == [  # null, or a list of {feature, threshold}
        "'feature' is a required property",
        "'threshold' is a required property",
        "[{}] is not of type 'null'",
    ]
    no_name = {**fleet, "endpoints": [{"data_quality_instance_type": "ml.m5.large"}]}
    assert _problems(schema, no_name) == ["endpoints/0: 'endpoint_name' is a required property"]
    assert _problems(schema, {"model_bucket_arn": MINIMAL["model_bucket_arn"]}) == [
        ": {'model_bucket_arn': 'arn:aws:s3:::sagemaker-us-east-2-123456789012'} is not valid under any of the given "
        "schemas"
    ]


# --- Node ------------------------------------------------------------------------------------------------------
def _system_env() -> dict[str, str]:
    """The environment of a user's shell: the system PATH (no .tools/), no JSII_NODE."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEEDFARMER_", "JSII_")) and k != "CDKTF_OUTDIR"}
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    return env


def test_a_synth_started_outside_make_prints_no_node_banner(tmp_path):
    system_node = shutil.which("node", path=_system_env()["PATH"])
    assert system_node, "this test needs a system Node.js on /usr/bin (the image ships Node 20)"
    version = subprocess.run([system_node, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    assert (REPO / BUNDLED_NODE).is_file(), "run `make setup`: the project's Node 22 is missing from .tools/"
    done = subprocess.run(
        [sys.executable, str(REPO / "main.py"), "--example", "--outdir", str(tmp_path / "out")],
        cwd=tmp_path,
        env=_system_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "end-of-life" not in done.stderr and "b'" not in done.stderr, (version, done.stderr[:2000])
    lines = done.stderr.splitlines()
    assert lines[0] == "wrote out/stacks/sagemaker-model-monitoring/cdk.tf.json"
    assert all(line.startswith(("wrote ", "cost: ", "overview: ", "  ")) for line in lines), lines
    assert done.stdout == ""


def test_use_project_node_respects_jsii_node_and_a_missing_tools_folder(tmp_path):
    env: dict[str, str] = {}
    assert use_project_node(REPO, env) == REPO / BUNDLED_NODE
    assert env == {"JSII_NODE": str(REPO / BUNDLED_NODE)}
    mine = {"JSII_NODE": "/opt/node24/bin/node"}
    assert use_project_node(REPO, mine) is None and mine == {"JSII_NODE": "/opt/node24/bin/node"}
    empty: dict[str, str] = {}
    assert use_project_node(tmp_path, empty) is None and empty == {}  # an installed wheel has no .tools/
