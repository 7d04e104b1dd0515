"""The audit key: made at first start with mode 0600, beside a SQLite
database or in the state folder; a key open to others, unreadable or not a
key is refused loudly by the hub, `switch serve` and the CLI; the public
half exports for verifiers; a signature covers every field it signs."""

from __future__ import annotations

import os
import socket
import stat
import threading
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from switch.app.runtime import Runtime
from switch.audit import signing
from switch.audit.signing import AuditKey, AuditKeyError, PublicKeys
from switch.cli import app
from switch.db.locations import audit_key_path, checkpoint_path
from switch.settings import Settings

runner = CliRunner()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_hub_makes_its_key_at_first_start_with_mode_0600(
    sqlite_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "keys" / "audit-key.pem"
    settings = Settings(
        database_url=sqlite_url,
        audit_key_file=path,
        audit_checkpoint_file=tmp_path / "checkpoints.jsonl",
    )
    first = Runtime(settings)
    first.engine.dispose()
    assert _mode(path) == 0o600 and _mode(path.parent) == 0o700
    assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----\n")
    again = Runtime(settings)  # the second start keeps the key the first made
    again.engine.dispose()
    assert again.audit_key.id == first.audit_key.id
    assert [p.name for p in path.parent.iterdir()] == ["audit-key.pem"]


def test_processes_starting_together_make_one_key(tmp_path: Path) -> None:
    path = tmp_path / "audit-key.pem"
    start = threading.Barrier(8)
    made: list[str] = []

    def one() -> None:
        start.wait()
        made.append(signing.load_or_create(path).id)

    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(made) == 8 and len(set(made)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["audit-key.pem"]


def test_the_default_files_sit_beside_a_sqlite_database(tmp_path: Path) -> None:
    for url in (f"sqlite:///{tmp_path / 'hub.db'}", str(tmp_path / "hub.db")):
        settings = Settings(database_url=url)
        assert audit_key_path(settings) == tmp_path / "hub-audit-key.pem"
        assert checkpoint_path(settings) == tmp_path / "hub-checkpoints.jsonl"


def test_otherwise_they_sit_in_the_state_folder_named_without_secrets(
    state_folder: Path,
) -> None:
    settings = Settings(database_url="postgresql://hub:s3cret@db.example:5433/switch")
    assert audit_key_path(settings) == state_folder / "switch" / "audit-key.pem"
    assert checkpoint_path(settings) == (
        state_folder / "switch" / "postgresql-db.example-5433-switch-checkpoints.jsonl"
    )
    chosen = Settings(audit_key_file=Path("/k.pem"), audit_checkpoint_file=Path("/c.jsonl"))
    assert (audit_key_path(chosen), checkpoint_path(chosen)) == (Path("/k.pem"), Path("/c.jsonl"))


# -- refused, loudly ---------------------------------------------------------------


@pytest.fixture
def open_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A good key whose file anyone on the machine may read."""
    path = tmp_path / "audit-key.pem"
    signing.load_or_create(path)
    path.chmod(0o644)
    monkeypatch.setenv("SWITCH_AUDIT_KEY_FILE", str(path))
    monkeypatch.setenv("SWITCH_DATABASE_URL", f"sqlite:///{tmp_path / 'hub.db'}")
    return path


def _open_refusal(path: Path) -> str:
    return (
        f"the audit key {path} is open to other users (mode 0644); "
        f"it must be 0600: chmod 600 {path}"
    )


def test_a_key_open_to_other_users_is_refused(open_key: Path) -> None:
    before = open_key.read_bytes()
    with pytest.raises(AuditKeyError) as refused:
        signing.load_or_create(open_key)
    assert refused.value.message == _open_refusal(open_key)
    with pytest.raises(AuditKeyError):
        Runtime(Settings())
    assert open_key.read_bytes() == before  # never replaced


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("verb", "code"),
    [
        (["serve", "--port", str(_free_port())], 1),
        (["audit", "key"], 2),
        (["audit", "prune", "--before", "2020-01-01"], 2),
        (["audit", "verify"], 2),
    ],
)
def test_every_verb_refuses_it_in_one_line(open_key: Path, verb: list[str], code: int) -> None:
    done = runner.invoke(app, verb)
    assert (done.exit_code, done.stdout) == (code, "")
    assert done.stderr.splitlines() == [f"error: {_open_refusal(open_key)}"]


def test_a_key_that_cannot_be_read_is_refused(tmp_path: Path) -> None:
    def refusal(path: Path) -> str:
        with pytest.raises(AuditKeyError) as refused:
            signing.load_or_create(path)
        return refused.value.message

    folder = tmp_path / "a-folder.pem"
    folder.mkdir()
    assert refusal(folder) == f"the audit key {folder} is not a regular file"
    text = tmp_path / "text.pem"
    text.write_text("not a key\n")
    text.chmod(0o600)
    assert refusal(text) == f"the audit key {text} is not an unencrypted Ed25519 PEM private key"
    assert text.read_text() == "not a key\n"
    under = text / "audit-key.pem"
    with pytest.raises(AuditKeyError) as refused:
        signing.load(under)
    assert refused.value.message == f"cannot read the audit key {under}: Not a directory"
    assert refusal(under) == f"cannot make the audit key {under}: File exists"


# -- the public half -------------------------------------------------------------


def test_the_public_key_exports_for_verifiers(tmp_path: Path) -> None:
    path = tmp_path / "hub-audit-key.pem"
    db = f"sqlite:///{tmp_path / 'hub.db'}"
    shown = runner.invoke(app, ["audit", "key", "--db", db])
    key = signing.load(path)
    assert shown.exit_code == 0, shown.stderr
    assert shown.stderr.splitlines() == [f"made a new audit key {key.id} at {path}"]
    assert shown.stdout.splitlines() == [f"audit key {key.id} (Ed25519) at {path}"]
    public = runner.invoke(app, ["audit", "key", "--public", "--db", db])
    assert (public.exit_code, public.stderr) == (0, "")
    assert public.stdout.startswith("-----BEGIN PUBLIC KEY-----\n")
    assert "PRIVATE" not in public.stdout
    exported = tmp_path / "hub.pub"
    other = signing.load_or_create(tmp_path / "other.pem")
    exported.write_text(public.stdout + other.public_pem())  # a keys file of two
    assert PublicKeys(signing.read_public_keys(exported)).ids == sorted([key.id, other.id])


def test_a_public_key_file_without_a_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "none.pub"
    path.write_text("hello\n")
    with pytest.raises(AuditKeyError, match=r"holds no public key"):
        signing.read_public_keys(path)


_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


@given(
    fields=st.dictionaries(st.text(max_size=8), _VALUES, min_size=1, max_size=5),
    data=st.data(),
)
def test_a_signature_covers_every_field(fields: dict[str, Any], data: st.DataObject) -> None:
    key = AuditKey(Ed25519PrivateKey.generate(), Path(os.devnull))
    keys = key.trusted()
    signature = key.sign(signing.ANCHOR_DOMAIN, fields)
    assert keys.problem(signing.ANCHOR_DOMAIN, fields, key.id, signature) == ""
    name = data.draw(st.sampled_from(sorted(fields)))
    changed = {**fields, name: data.draw(_VALUES.filter(lambda v: v != fields[name]))}
    assert keys.problem(signing.ANCHOR_DOMAIN, changed, key.id, signature) != ""
    # Nor does a checkpoint's domain accept it.
    assert keys.problem(signing.CHECKPOINT_DOMAIN, fields, key.id, signature) != ""


def test_a_key_behind_a_symbolic_link_is_checked_by_its_own_mode(tmp_path: Path) -> None:
    # Mounted secrets are links to the file that holds the key.
    target = tmp_path / "data" / "audit-key.pem"
    key = signing.load_or_create(target)
    link = tmp_path / "audit-key.pem"
    link.symlink_to(target)
    assert signing.load_or_create(link).id == key.id
    target.chmod(0o640)
    with pytest.raises(AuditKeyError, match=r"open to other users \(mode 0640\)"):
        signing.load(link)
    target.unlink()  # a dangling link: refused, never replaced by a new key
    with pytest.raises(AuditKeyError, match="there is no audit key at"):
        signing.load_or_create(link)
    assert link.is_symlink() and not target.exists()
