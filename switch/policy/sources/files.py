"""A hub's policy folder: `<ST>.yaml` files and `candidates/<ST>.yaml`,
read when their content changes, never written (a change made through a
hub is a version in the database; `switch policy export` writes files).

Files are compared by content: an edit that keeps the old mtime (`cp -p`,
`rsync -t`) is picked up like any other. The folder remembers the problems
of each file as it is on disk now, named by the file's place in the folder
(`WA.yaml`, `candidates/OR.yaml`): an ER or /healthz tells no server paths.
What is put in force is the store's business; this module only reads,
and compiles.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from switch.policy.compiler import CompiledPolicy, compile_policy
from switch.policy.loader import PolicyError, PolicyProblem, load_policy_data, load_policy_file


@dataclass(frozen=True, slots=True)
class FileRead:
    """A file whose content changed: its policy compiled, or why not."""

    path: Path
    state: str
    candidate: bool
    policy: CompiledPolicy | None
    problems: tuple[PolicyProblem, ...] = ()


def policy_files(folder: Path) -> list[Path]:
    """A folder's `<ST>.yaml` files (not its candidates)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.yaml") if len(p.stem) == 2 and p.stem.isupper())


class PolicyFolder:
    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        # The problems of each file as it is on disk now, as shown to readers.
        self._problems: dict[Path, tuple[PolicyProblem, ...]] = {}
        # The content last read of each file (None: it could not be read).
        self._digests: dict[Path, bytes | None] = {}
        self._lock = threading.Lock()

    def changed(self) -> list[FileRead]:
        """Every file whose content changed since it was last read (at the
        first call: every file)."""
        if self.folder is None or not self.folder.is_dir():
            return []
        paths = policy_files(self.folder) + policy_files(self.folder / "candidates")
        reads = [read for path in paths if (read := self._read(path))]
        with self._lock:
            # A file taken away leaves its state's version in force; its
            # problems are no longer anyone's to fix.
            for path in set(self._digests) - set(paths):
                del self._digests[path]
                self._set_problems(path, ())
        return reads

    def _read(self, path: Path) -> FileRead | None:
        """None when the content is the one last read."""
        try:
            data: bytes | None = path.read_bytes()
        except OSError:
            data = None
        digest = None if data is None else _digest(data)
        if path in self._digests and self._digests[path] == digest:
            return None
        # A candidate by its place under this folder, not by a folder's name: a
        # folder called `candidates` given as the policy folder holds policies.
        state, candidate = path.stem, path.parent != self.folder
        try:
            loaded = load_policy_file(path) if data is None else load_policy_data(data, path)
            policy = compile_policy(loaded)
        except PolicyError as exc:
            with self._lock:
                self._digests[path] = digest
                self._set_problems(path, tuple(exc.problems))
            return FileRead(path, state, candidate, None, tuple(exc.problems))
        with self._lock:
            self._digests[path] = digest
            self._set_problems(path, ())
        return FileRead(path, state, candidate, policy)

    def problems(self) -> list[str]:
        """Every problem of the files as they are now (file:line: reason)."""
        return [str(p) for _, found in sorted(self._problems.items()) for p in found]

    def _set_problems(self, path: Path, problems: tuple[PolicyProblem, ...]) -> None:
        """Under the lock: a new dict, so a reader iterates a whole one."""
        found = {k: v for k, v in self._problems.items() if k != path}
        if problems:
            found[path] = self.shown(list(problems))
        self._problems = found

    def shown(self, problems: list[PolicyProblem]) -> tuple[PolicyProblem, ...]:
        """Problems named by the file's place in the folder."""
        return tuple(replace(p, file=self.relative(p.file)) for p in problems)

    def relative(self, file: str) -> str:
        """A file's place in the folder (`WA.yaml`, `candidates/OR.yaml`)."""
        if self.folder is None:
            return file
        try:
            return str(Path(file).resolve().relative_to(self.folder.resolve()))
        except ValueError:
            return file


def _digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()
