"""Wheel layout: the repository's packages under one public import path, `sagemaker_model_monitoring_cdktf`.

The checkout keeps its layout (main.py, monitors/, baseline/, lambda_image/) and its absolute imports
(`from monitors.settings.model import ...`). Top-level `monitors`/`baseline` would collide in a user's
environment, so the wheel nests them: monitors/ -> sagemaker_model_monitoring_cdktf/monitors/ and so on,
and the build rewrites each `from monitors...`/`import baseline...` statement to the nested path
(`rewrite_imports`). The build fails if any import of the old top-level names survives (checked with
`ast`), and tests/test_packaging.py synthesizes from the installed wheel and compares the output byte for
byte with the checkout's.

lambda_image/ (the Lambda's Docker build context, hashed into the image tag) and lambda_image/alerts/ (the
alert checker, zipped into its function) are package data beside monitors/ and baseline/, so the code's
`Path(__file__).parent.parent / "lambda_image"` finds them in both layouts.
"""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

PACKAGE = "sagemaker_model_monitoring_cdktf"
NESTED = ("monitors", "baseline")
# monitors/ is layered into subpackages (docs/architecture.md); each is nested like monitors/ itself.
MONITORS_SUBPACKAGES = ("settings", "monitor_types", "payloads", "constructs", "tooling")
HERE = Path(__file__).resolve().parent
IMPORT_RE = re.compile(rf"^(\s*)(from|import)(\s+)({'|'.join(NESTED)})\b", re.MULTILINE)
# main.py and the bundled example: the CLI (`sagemaker-model-monitoring-synth`) and its --example input.
EXTRA_FILES = {"main.py": "main.py", "examples/full.yaml": "examples/full.yaml"}


def rewrite_imports(source: str, path: str) -> str:
    rewritten = IMPORT_RE.sub(rf"\1\2\3{PACKAGE}.\4", source)
    for node in ast.walk(ast.parse(rewritten, path)):
        names = (
            [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else ([node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
        )
        left = [n for n in names if n.split(".")[0] in NESTED]
        if left:
            raise SystemExit(f"{path}:{node.lineno}: import of {left} not rewritten to {PACKAGE}.*")
    return rewritten


class NestingBuildPy(build_py):
    def build_module(self, module, module_file, package):
        outfile, copied = super().build_module(module, module_file, package)
        if package.split(".")[:2] != [PACKAGE, "lambda_image"]:  # the Lambda's own code stays as it is
            self._rewrite(Path(outfile))
        return outfile, copied

    def run(self):
        super().run()
        for source, target in EXTRA_FILES.items():
            out = Path(self.build_lib) / PACKAGE / target
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(HERE / source, out)
            if out.suffix == ".py":
                self._rewrite(out)

    @staticmethod
    def _rewrite(path: Path) -> None:
        path.write_text(rewrite_imports(path.read_text(encoding="utf-8"), str(path)), encoding="utf-8")


setup(
    packages=[
        PACKAGE,
        f"{PACKAGE}.monitors",
        *(f"{PACKAGE}.monitors.{sub}" for sub in MONITORS_SUBPACKAGES),
        f"{PACKAGE}.baseline",
        f"{PACKAGE}.lambda_image",
        f"{PACKAGE}.lambda_image.alerts",
    ],
    package_dir={
        PACKAGE: PACKAGE,
        f"{PACKAGE}.monitors": "monitors",
        **{f"{PACKAGE}.monitors.{sub}": f"monitors/{sub}" for sub in MONITORS_SUBPACKAGES},
        f"{PACKAGE}.baseline": "baseline",
        f"{PACKAGE}.lambda_image": "lambda_image",
        f"{PACKAGE}.lambda_image.alerts": "lambda_image/alerts",
    },
    # Every file of the Docker build context (Dockerfile, requirements.txt, README.md: all hashed into the tag).
    # lazy_provider.cjs: the jsii kernel's preload (monitors/constructs/kernel_env.py).
    package_data={
        f"{PACKAGE}.lambda_image": ["Dockerfile", "requirements.txt", "README.md"],
        f"{PACKAGE}.monitors.constructs": ["lazy_provider.cjs"],
    },
    exclude_package_data={"": ["__pycache__/*", "*.pyc"]},
    cmdclass={"build_py": NestingBuildPy},
)
