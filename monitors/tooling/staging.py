"""Scratch folders for files that synthesis turns into Terraform assets; removed when the process exits."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path


def staging_dir(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, True)
    return path
