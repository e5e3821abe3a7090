"""Import only the cdktf AWS provider submodules a stack uses.

``cdktf_cdktf_provider_aws/__init__.py`` imports all ~2,200 of its submodules (measured: ~12 s of a
~15 s synth). Each submodule only needs the package object and the jsii assembly (``_jsii``), so we
register the package without running its ``__init__`` and load the assembly ourselves. If the real
package was imported already (by user code), this is a no-op. ``tests/test_synth_path.py`` checks the
synthesized JSON is byte-identical either way; set ``MONITORS_FULL_AWS_IMPORT=1`` to use the slow path.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import types

PACKAGE = "cdktf_cdktf_provider_aws"


def _register_package_lazily() -> None:
    if PACKAGE in sys.modules or os.environ.get("MONITORS_FULL_AWS_IMPORT") == "1":
        return
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"{PACKAGE} is not installed (see requirements-dev.txt)")
    package = types.ModuleType(PACKAGE)
    package.__path__ = list(spec.submodule_search_locations)
    package.__spec__ = spec
    package.__package__ = PACKAGE
    package.__file__ = spec.origin
    sys.modules[PACKAGE] = package
    importlib.import_module(f"{PACKAGE}._jsii")  # loads the jsii assembly once


def aws(submodule: str) -> types.ModuleType:
    """Return ``cdktf_cdktf_provider_aws.<submodule>``, e.g. ``aws("iam_role").IamRole``."""
    _register_package_lazily()
    return importlib.import_module(f"{PACKAGE}.{submodule}")
