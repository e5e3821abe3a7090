"""Synthesize Terraform for SageMaker Model Monitor: parse args -> load settings -> build stack -> synth."""

from __future__ import annotations

import argparse
import atexit
import os
import signal
import sys
from pathlib import Path

# Only the standard library above: the handlers are installed before the slow imports (pydantic, the settings, jsii),
# so a signal at any point stops with one line (issue 22 item 6).

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


# What the process has said about a signal: the line is printed once, and a signal that lands after main() has
# finished (while jsii stops node and removes its folders, atexit) is reported when that teardown is over.
_SIGNALS: dict[str, object] = {"reported": False, "late": None, "outdir": None}


def _interrupted_line(signum: int, outdir: object) -> str:
    where = outdir if outdir is not None else "the output folder"
    return (
        f"interrupted by {signal.Signals(signum).name}: stopped; {where} holds the previous or the new output of "
        "each stack, never a mix"
    )


def _late(signum: int, frame: object) -> None:
    """After main(): remember the signal (raising now would interrupt jsii's teardown with a traceback); a second
    one acts as it did before main()."""
    if _SIGNALS["late"] is None:
        _SIGNALS["late"] = signum
    for each in SIGNAL_EXIT:
        signal.signal(each, signal.SIG_DFL)


def _let_node_finish(timeout: float = 60) -> None:
    """After an interruption node may still be working on the request Python stopped waiting for (a synth takes
    seconds); jsii's own teardown gives it 5 s and then kills it, leaving its kernel folder (jsii-kernel-*) in TMPDIR.
    Ask it to exit now and give it time to finish and clean up. Only a node that was started is asked."""
    try:
        from jsii._kernel.providers.process import ProcessProvider

        cells = [cell.cell_contents for cell in ProcessProvider._process.fget.__closure__ or ()]
        started = next((c for c in cells if isinstance(c, list)), [])
        if not started:
            return
        node = started[0]._process
        if node.stdin is not None and not node.stdin.closed:
            node.stdin.write(b'{"exit":0}\n')
            node.stdin.close()
        node.wait(timeout=timeout)
    except Exception:  # noqa: BLE001 (best effort: jsii's own teardown follows)
        return


def _at_exit() -> None:
    """Registered before jsii starts, so it runs after jsii's own teardown (atexit runs last-registered first)."""
    quiet, original = sys.stderr, _SIGNALS.pop("stderr", None)
    if original is not None:
        sys.stderr = original
        quiet.close()
    late = _SIGNALS["late"]
    if isinstance(late, int) and not _SIGNALS["reported"]:
        sys.stdout.flush()
        os.write(2, (_interrupted_line(late, _SIGNALS["outdir"]) + "\n").encode())
        os._exit(SIGNAL_EXIT[late])


DESCRIPTION = """\
Write the Terraform that sets up Amazon SageMaker Model Monitor for your endpoints: data quality, model quality,
model bias and model explainability schedules, a least-privilege role, and optionally baseline generation and
alerts. Give your parameters as a file (--config: flat YAML/JSON or a SeedFarmer manifest) or as
SEEDFARMER_PARAMETER_* environment variables; then run `terraform init` and `terraform apply` in the stack folder
the synth prints. Bad parameters are all reported at once (exit 2) and nothing is written."""
EPILOG = (
    "Parameters: README.md, section Parameters. Exit codes: 0 written (or valid, with --check), 2 bad input, "
    "130/143 interrupted. `main.py import --help`: adopt monitors that already run."
)


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
        "--check",
        action="store_true",
        help="validate the configuration and write nothing (exit 0 valid, 2 bad input)",
    )
    parser.add_argument(
        "--schema",
        action="store_true",
        help="print the configuration's JSON Schema (flat parameter names, descriptions, defaults) for editors",
    )
    parser.add_argument(
        "--hcl",
        action="store_true",
        default=os.environ.get("SYNTH_HCL_OUTPUT") in ("true", "1"),
        help="write cdk.tf (HCL, for reviewers) instead of cdk.tf.json (`cdktf synth --hcl` sets SYNTH_HCL_OUTPUT)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """The command line. It owns the process's SIGINT/SIGTERM from its first line to the process's end."""
    _SIGNALS.update(reported=False, late=None, outdir=None)
    for signum in SIGNAL_EXIT:
        signal.signal(signum, _interrupt)
    try:
        atexit.register(_at_exit)
        argv = sys.argv[1:] if argv is None else argv
        from monitors.tooling.node import use_project_node

        use_project_node(HERE, os.environ)  # before jsii starts: the project's Node 22, no end-of-life banner
        if argv[:1] == ["import"]:  # monitors that already run -> configuration and import blocks (it synthesizes)
            from monitors.tooling.importer import main as import_main

            return import_main(argv[1:])
        args = parse_args(argv)
        _SIGNALS["outdir"] = args.outdir
        if args.schema:
            from monitors.tooling.schema import schema_text

            sys.stdout.write(schema_text())
            return 0
        return _synth(args)
    except Interrupted as exc:
        for signum in SIGNAL_EXIT:  # a second signal while the line is printed is not a traceback
            signal.signal(signum, _late)
        # The output folder is moved into place with these signals held (monitors/tooling/output.py): it holds the
        # previous or the new output of every stack, never a mix; scratch folders are removed on the way out.
        print(_interrupted_line(exc.signum, _SIGNALS["outdir"]), file=sys.stderr)
        _SIGNALS["reported"] = True
        if "jsii" in sys.modules:
            _let_node_finish()
            # node was stopped mid-request: while jsii tears it down at exit, node's runtime may report the broken
            # channel ("Error on jsii API channel to child process: Error: read ECONNRESET", forwarded to our
            # stderr). The one line above says what happened; _at_exit (after jsii's teardown) restores stderr.
            sys.stderr.flush()
            _SIGNALS["stderr"] = sys.stderr
            sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (closed at exit)
        return SIGNAL_EXIT[exc.signum]
    finally:
        for signum in SIGNAL_EXIT:
            signal.signal(signum, _late)


def _synth(args: argparse.Namespace) -> int:
    from monitors.settings.config import ConfigError, load_plan
    from monitors.tooling.config_source import configuration_source
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
    if args.check:
        from monitors.tooling.schema import check_summary

        print(check_summary(plans), file=sys.stderr)
        return 0

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
    from monitors.tooling.cost import cost_lines, overview_lines

    for line in [*cost_lines(settings for plan in plans for settings in plan.endpoints), *overview_lines(plans)]:
        print(line, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
