"""Synthesize Terraform for SageMaker Model Monitor: parse args -> load settings -> build stack -> synth."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from monitors.config import ConfigError, has_environment_parameters, load_plan

HERE = Path(__file__).resolve().parent
BUNDLED_EXAMPLE = HERE / "examples" / "full.yaml"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", type=Path, help="YAML/JSON file: a SeedFarmer module manifest or a flat mapping of parameters")
    parser.add_argument(
        "--outdir", type=Path, default=Path(os.environ.get("CDKTF_OUTDIR", "cdktf.out")),
        help="output folder (default: cdktf.out, or CDKTF_OUTDIR when run by `cdktf synth`)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    config = args.config
    if config is None and not has_environment_parameters(os.environ):
        config = BUNDLED_EXAMPLE
        print(f"no --config and no SEEDFARMER_PARAMETER_* variables: synthesizing the bundled example {config.relative_to(HERE)}", file=sys.stderr)
    try:
        plans, warnings = load_plan(config)
    except ConfigError as exc:
        for line in exc.problems:
            print(f"error: {line}", file=sys.stderr)
        print(f"{len(exc.problems)} configuration problem(s); nothing was written.", file=sys.stderr)
        return 2
    for line in warnings:
        print(line, file=sys.stderr)

    from monitors.app import synthesize

    try:
        stacks = synthesize(plans, args.outdir)
    except OSError as exc:  # an output folder that is a file, or not writable: one line, no traceback
        print(f"error: --outdir: cannot write {exc.filename or args.outdir}: {exc.strerror}; nothing was written.", file=sys.stderr)
        return 2
    for stack in stacks:
        print(f"wrote {os.path.relpath(stack / 'cdk.tf.json')}", file=sys.stderr)
    from monitors.cost import cost_lines

    for line in cost_lines(settings for plan in plans for settings in plan.endpoints):
        print(line, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
