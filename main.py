"""Synthesize Terraform for SageMaker Model Monitor: parse args -> load settings -> build stack -> synth."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from monitors.settings.config import ConfigError, load_plan
from monitors.tooling.config_source import configuration_source

HERE = Path(__file__).resolve().parent
BUNDLED_EXAMPLE = HERE / "examples" / "full.yaml"
SIGNAL_EXIT: dict[int, int] = {signal.SIGINT: 130, signal.SIGTERM: 143}  # 128 + signal number, as shells report it


class Interrupted(BaseException):
    # BaseException, like KeyboardInterrupt: jsii turns an Exception raised while node calls back into Python
    # (TerraformVersionStack.to_terraform, once per stack) into a JavaScript error
    # (jsii/_kernel/__init__.py, _callback_till_result: `except Exception`), which came back as a traceback.
    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _interrupt(signum: int, frame: object) -> None:
    raise Interrupted(signum)


DESCRIPTION = """\
Write the Terraform that sets up Amazon SageMaker Model Monitor for your endpoints: data quality, model quality,
model bias and model explainability schedules, a least-privilege role, and optionally baseline generation and
alerts. Give your parameters as a file (--config: flat YAML/JSON or a SeedFarmer manifest) or as
SEEDFARMER_PARAMETER_* environment variables; then run `terraform init` and `terraform apply` in the stack folder
the synth prints. Bad parameters are all reported at once (exit 2) and nothing is written."""
EPILOG = "Parameters: README.md, section Parameters. Exit codes: 0 written, 2 bad input, 130/143 interrupted."


def version() -> str:
    """The project's version: pyproject.toml beside this file in a checkout, the installed package's otherwise."""
    pyproject = HERE / "pyproject.toml"
    if pyproject.is_file():
        import tomllib

        return str(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"])
    from importlib.metadata import version as installed_version

    return installed_version("sagemaker-model-monitoring-cdktf")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--config", type=Path, help="YAML/JSON file: a SeedFarmer module manifest or a flat mapping of parameters"
    )
    source.add_argument(
        "--example",
        action="store_const",
        const=BUNDLED_EXAMPLE,
        help="synthesize the bundled example examples/full.yaml",
    )
    parser.add_argument(
        "--outdir",
        type=Path,
        default=Path(os.environ.get("CDKTF_OUTDIR", "cdktf.out")),
        help="output folder (default: cdktf.out, or CDKTF_OUTDIR when run by `cdktf synth`)",
    )
    parser.add_argument(
        "--hcl",
        action="store_true",
        default=os.environ.get("SYNTH_HCL_OUTPUT") in ("true", "1"),
        help="write cdk.tf (HCL, for reviewers) instead of cdk.tf.json (`cdktf synth --hcl` sets SYNTH_HCL_OUTPUT)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for signum in SIGNAL_EXIT:
        signal.signal(signum, _interrupt)
    try:
        return _synth(args)
    except Interrupted as exc:
        # The output folder is moved into place with these signals held (monitors/tooling/output.py): it holds the
        # previous or the new output of every stack, never a mix; scratch folders are removed on the way out.
        print(
            f"interrupted by {exc}: stopped; {args.outdir} holds the previous or the new output of each stack, never "
            f"a mix",
            file=sys.stderr,
        )
        return SIGNAL_EXIT[exc.signum]


def _synth(args: argparse.Namespace) -> int:
    from monitors.tooling.output import OutputError

    try:
        config = configuration_source(args.config, args.example, os.environ)
        plans, warnings = load_plan(config)
    except ConfigError as exc:
        for line in exc.problems:
            print(f"error: {line}", file=sys.stderr)
        print(f"{len(exc.problems)} configuration problem(s); nothing was written.", file=sys.stderr)
        return 2
    for line in warnings:
        print(line, file=sys.stderr)

    # cdktf's own HCL renderer (Node side, on when SYNTH_HCL_OUTPUT is set) drops parts of the stack; ours writes it.
    os.environ.pop("SYNTH_HCL_OUTPUT", None)
    from monitors.constructs.app import synthesize

    try:
        stacks = synthesize(plans, args.outdir, hcl=args.hcl)
    except OutputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # an output folder that is a file, or not writable: one line, no traceback
        print(
            f"error: --outdir: cannot write {exc.filename or args.outdir}: {exc.strerror}; nothing was written.",
            file=sys.stderr,
        )
        return 2
    for stack in stacks:
        print(f"wrote {os.path.relpath(stack / ('cdk.tf' if args.hcl else 'cdk.tf.json'))}", file=sys.stderr)
    from monitors.tooling.cost import cost_lines

    for line in cost_lines(settings for plan in plans for settings in plan.endpoints):
        print(line, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
