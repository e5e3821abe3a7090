"""The output folder: what synthesis may replace, and how it replaces it without losing anything else.

A stack folder (``<outdir>/stacks/<stack>/``) is also where users run Terraform, so it holds files we did
not write: ``.terraform/``, ``.terraform.lock.hcl``, plan files, an old-layout ``terraform.tfstate``.
Synthesis replaces only the entries cdktf writes there (``GENERATED``) and keeps everything else.

One run at a time: an exclusive ``flock`` on ``<outdir>/.synth.lock``; a second run fails at once.
Everything is synthesized into a scratch folder inside the output folder (same file system, so moves are
renames), then moved into place for all stacks together with SIGINT/SIGTERM held back, and undone if a
move fails: every stack ends up either all old or all new.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

# What cdktf 0.21 writes into a stack folder (JSON: cdk.tf.json; HCL: cdk.tf and metadata.json; assets/ for
# TerraformAsset copies). Only these names are ever replaced or removed in a stack folder.
GENERATED = frozenset({"cdk.tf.json", "cdk.tf", "metadata.json", "assets"})
LOCK_NAME = ".synth.lock"
SCRATCH_PREFIX = ".synth-"


class OutputError(Exception):
    """The output folder cannot be written (busy, not a folder, not writable): one line for the user."""


def _display(path: Path) -> str:
    relative = os.path.relpath(path)
    return relative if not relative.startswith("..") else str(path)


@contextlib.contextmanager
def locked_output(outdir: Path) -> Iterator[Path]:
    """Hold the output folder's lock; yield a scratch folder inside it (removed afterwards, whatever happens)."""
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        fd = os.open(outdir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except FileExistsError:
        raise OutputError(f"--outdir: {_display(outdir)} exists and is not a folder; nothing was written") from None
    except OSError as exc:
        raise OutputError(f"--outdir: cannot write {_display(outdir)}: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise
            raise OutputError(
                f"--outdir: another synthesis is writing {_display(outdir)} (it holds {LOCK_NAME}); "
                "nothing was written, run again when it has finished"
            ) from None
        _remove_leftovers(outdir)
        scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=outdir))
        try:
            yield scratch
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    finally:
        os.close(fd)  # releases the lock; the (empty) lock file stays: removing it would race with a waiting run


def _remove_leftovers(outdir: Path) -> None:
    """Scratch of a run that was killed (SIGKILL, power loss), and the staging folders of older versions."""
    for path in outdir.glob(f"{SCRATCH_PREFIX}*"):
        shutil.rmtree(path, ignore_errors=True)
    for path in (outdir / "stacks").glob(".*.new"):
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT/SIGTERM back while stacks are moved into place; a held signal is delivered at the end.

    Blocking the signals (pthread_sigmask) holds them only from this thread: a signal sent to the process can land in
    another thread (jsii's reader threads), and Python then runs its handler in the main thread anyway. So the Python
    handlers are also swapped for one that only records the signal (in the main thread, where handlers live)."""
    held = (signal.SIGINT, signal.SIGTERM)
    received: list[int] = []
    swap = threading.current_thread() is threading.main_thread()
    previous_handlers = {signum: signal.getsignal(signum) for signum in held} if swap else {}
    previous_mask = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        for signum in previous_handlers:
            signal.signal(signum, lambda signum, frame: received.append(signum))
        yield
    finally:
        for signum, handler in previous_handlers.items():
            signal.signal(signum, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, previous_mask)
    if received:
        handler = previous_handlers[signal.Signals(received[0])]
        if callable(handler):
            handler(received[0], None)
        elif handler == signal.SIG_DFL:
            os.kill(os.getpid(), received[0])


class _Moves:
    """Renames done so far, undone in reverse order if a later one fails."""

    def __init__(self, trash: Path):
        self.trash = trash
        self.done: list[tuple[Path, Path]] = []

    def move(self, source: Path, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(source, target)
        self.done.append((source, target))

    def replace_file(self, new: Path, target: Path, keep_as: Path) -> None:
        """Atomically replace a file; the old one stays reachable (hard link) until the run ends."""
        keep_as.parent.mkdir(parents=True, exist_ok=True)
        os.link(target, keep_as)
        os.replace(new, target)
        self.done.append((keep_as, target))

    def undo(self) -> None:
        for source, target in reversed(self.done):
            with contextlib.suppress(OSError):
                if target.is_dir() and not target.is_symlink():
                    shutil.rmtree(target)
                os.replace(source, target)


def install(synthesized: Path, outdir: Path, stack_names: list[str]) -> list[str]:
    """Move each synthesized stack of ``synthesized`` (a cdktf outdir) into ``outdir``, replacing only generated
    entries; report stack folders that are no longer configured. Returns the report lines."""
    stacks_dir = outdir / "stacks"
    if stacks_dir.is_symlink():
        raise OutputError(_symlink_refused(stacks_dir))
    stacks_dir.mkdir(exist_ok=True)
    for name in stack_names:
        if (stacks_dir / name).is_symlink():
            # Writing through it would replace generated files (and remove stale ones) wherever it points.
            raise OutputError(_symlink_refused(stacks_dir / name))
        if (stacks_dir / name).exists() and not (stacks_dir / name).is_dir():
            raise OutputError(f"--outdir: {_display(stacks_dir / name)} exists and is not a folder")
    removed, notes = _unconfigured(stacks_dir, set(stack_names))
    moves = _Moves(synthesized / ".replaced")
    with _signals_held():
        try:
            for name in stack_names:
                _install_stack(synthesized / "stacks" / name, stacks_dir / name, moves, moves.trash / "stacks" / name)
            for folder in removed:
                moves.move(folder, moves.trash / "removed" / folder.name)
            manifest = outdir / "manifest.json"
            if manifest.is_file():
                moves.replace_file(synthesized / "manifest.json", manifest, moves.trash / "manifest.json")
            else:
                moves.move(synthesized / "manifest.json", manifest)
        except BaseException:
            moves.undo()
            raise
    return notes


def _symlink_refused(path: Path) -> str:
    return (
        f"--outdir: {_display(path)} is a symbolic link (to {os.readlink(path)}); a synth does not write through "
        "links: replace it with a folder (move what you keep there, such as .terraform or a state file); nothing "
        "was written"
    )


def _install_stack(new: Path, target: Path, moves: _Moves, trash: Path) -> None:
    if not target.exists():
        moves.move(new, target)
        return
    written = set(os.listdir(new))
    for entry in sorted(GENERATED | written):
        old, fresh = target / entry, new / entry
        if entry in written and old.is_file() and not old.is_symlink() and fresh.is_file():
            moves.replace_file(fresh, old, trash / entry)
            continue
        if old.exists() or old.is_symlink():  # stale (an asset folder, cdk.tf after a JSON synth) or a folder
            moves.move(old, trash / entry)
        if entry in written:
            moves.move(fresh, old)


def _unconfigured(stacks_dir: Path, configured: set[str]) -> tuple[list[Path], list[str]]:
    """Stack folders no longer in the configuration: removed when they hold only what we generated and
    no state of theirs exists; kept (and said so) otherwise."""
    removed, notes = [], []
    for folder in sorted(p for p in stacks_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if folder.name in configured:
            continue
        theirs = sorted(set(os.listdir(folder)) - GENERATED)
        state = _local_state(folder)
        if state is not None:
            theirs.append(f"its state {_display(state)}")
        if theirs:
            notes.append(
                f"kept {_display(folder)}: no longer in the configuration, but it holds {', '.join(theirs)}; "
                "run `terraform destroy` there if its resources should go, then delete it yourself"
            )
        else:
            removed.append(folder)
            notes.append(f"removed {_display(folder)}: no longer in the configuration, it held only generated files")
    return removed, notes


def _local_state(folder: Path) -> Path | None:
    """The state file the folder's configuration points at with the local backend, if it exists."""
    try:
        config = json.loads((folder / "cdk.tf.json").read_text())
        path = config["terraform"]["backend"]["local"]["path"]
    except (OSError, ValueError, KeyError, TypeError):
        path = _hcl_local_state_path(folder)
        if path is None:
            return None
    state = Path(os.path.normpath(folder / path))
    return state if state.exists() else None


# The local backend as monitors/tooling/hcl.py writes it in cdk.tf (a --hcl synth): `backend "local" {` then `path =
# "..."`.
_HCL_LOCAL_BACKEND = re.compile(r'^  backend "local" \{\n    path = "((?:[^"\\]|\\.)*)"\n', re.M)


def _hcl_local_state_path(folder: Path) -> str | None:
    try:
        match = _HCL_LOCAL_BACKEND.search((folder / "cdk.tf").read_text())
    except OSError:
        return None
    return json.loads(f'"{match.group(1)}"') if match else None


def synth_owned(parts: list[str]) -> str | None:
    """Why a path inside an output folder (its parts, relative to the output folder, normalized) is a place a synth
    writes, moves or removes, or None when a synth leaves it alone: a local state file must not be there."""
    if not parts:
        return "is the output folder itself"
    first = parts[0]
    if first in ("manifest.json", LOCK_NAME):
        return f"is the output folder's generated {first}"
    if first.startswith(SCRATCH_PREFIX):
        return f"is inside a scratch folder ({SCRATCH_PREFIX}*) a synth removes"
    if first != "stacks":
        return None
    if len(parts) == 1:
        return "is the output folder's stacks/ folder"
    if len(parts) == 2:
        return "is a stack folder's place in stacks/ (a synth moves stack folders in and out there)"
    if parts[1].startswith(".") and parts[1].endswith(".new"):
        return "is inside a staging folder (stacks/.*.new) a synth removes"
    if parts[2] in GENERATED:
        return f"is {'inside ' if len(parts) > 3 else ''}the generated {parts[2]} a synth replaces"
    return None


def default_local_state_path(stack_name: str) -> str:
    """The local backend's default state file, relative to the stack folder Terraform runs in: beside the output
    folder (``cdktf.out/../terraform.<stack>.tfstate``, where cdktf itself keeps it), out of a re-synth's reach."""
    return f"../../../terraform.{stack_name}.tfstate"
