"""The audit key: an Ed25519 key kept outside the database, which signs the
chain's checkpoints and prune anchors, so that rows written by someone with
only the database in hand cannot pass for the hub's.

The private key is a PEM file made at a hub's first start with mode 0600; a
file open to other users, unreadable or not an Ed25519 key is refused, never
replaced. Verifiers need only the public half (`switch audit key --public`);
`PublicKeys` holds the ones they trust, by key id.

Every signature covers a domain line and a canonical JSON object, so a
checkpoint's signature can never be presented as an anchor's.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import secrets
import stat
from collections.abc import Iterable, Mapping
from hashlib import sha256
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from switch.errors import SwitchError

CHECKPOINT_DOMAIN = "switch-audit-checkpoint/v1"
ANCHOR_DOMAIN = "switch-audit-anchor/v1"
KEY_MODE = 0o600
_PEM_BLOCK = re.compile(r"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----", re.DOTALL)


class AuditKeyError(SwitchError):
    """The audit key or a public key cannot be used: missing, unreadable,
    open to other users, or not an Ed25519 key."""

    http_status = 503
    code = "AUDIT_KEY"


def key_id(public: Ed25519PublicKey) -> str:
    """16 hex digits of SHA-256 over the raw public key: names the signer."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return sha256(raw).hexdigest()[:16]


def signed_bytes(domain: str, fields: Mapping[str, Any]) -> bytes:
    """What is signed: the domain, a newline, the fields as canonical JSON."""
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return f"{domain}\n{body}".encode()


class AuditKey:
    """The private key of one signer, read from its file."""

    def __init__(self, private: Ed25519PrivateKey, path: Path, *, created: bool = False) -> None:
        self._private = private
        self.path = path
        self.created = created  # made just now, by `load_or_create`
        self.public = private.public_key()
        self.id = key_id(self.public)

    def sign(self, domain: str, fields: Mapping[str, Any]) -> str:
        signature = self._private.sign(signed_bytes(domain, fields))
        return base64.b64encode(signature).decode("ascii")

    def public_pem(self) -> str:
        return self.public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")

    def trusted(self) -> PublicKeys:
        """The keys a verifier trusts when it is given none: this one."""
        return PublicKeys([self.public])


class PublicKeys:
    """The public keys a verifier accepts signatures from, by key id."""

    def __init__(self, keys: Iterable[Ed25519PublicKey] = ()) -> None:
        self._keys = {key_id(k): k for k in keys}

    @property
    def ids(self) -> list[str]:
        return sorted(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def problem(self, domain: str, fields: Mapping[str, Any], signer: Any, signature: Any) -> str:
        """Why `signature` by `signer` over `fields` is not good, or "" when it is."""
        if not isinstance(signer, str) or not isinstance(signature, str):
            return "its signature or signer is not text"
        key = self._keys.get(signer)
        if key is None:
            given = ", ".join(self.ids) or "none"
            return f"it is signed by key {signer}, which is not one of the keys given ({given})"
        try:
            key.verify(base64.b64decode(signature, validate=True), signed_bytes(domain, fields))
        except (InvalidSignature, binascii.Error, ValueError):
            return f"its signature does not verify under key {signer}"
        return ""


def _refuse_open_mode(path: Path, mode: int) -> None:
    if not stat.S_ISREG(mode):
        raise AuditKeyError(f"the audit key {path} is not a regular file")
    if mode & 0o077:
        raise AuditKeyError(
            f"the audit key {path} is open to other users (mode {stat.S_IMODE(mode):04o}); "
            f"it must be 0600: chmod 600 {path}"
        )


def load(path: Path) -> AuditKey:
    """The audit key in `path`; refused unless it is a 0600 Ed25519 PEM."""
    try:
        # A symbolic link is followed (mounted secrets are links); the mode
        # checked is the key file's own.
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        raise AuditKeyError(f"there is no audit key at {path}") from None
    except OSError as exc:
        raise AuditKeyError(f"cannot read the audit key {path}: {exc.strerror}") from None
    try:
        _refuse_open_mode(path, os.fstat(fd).st_mode)
        with os.fdopen(fd, "rb", closefd=False) as file:
            data = file.read(64 * 1024)
    except OSError as exc:
        raise AuditKeyError(f"cannot read the audit key {path}: {exc.strerror}") from None
    finally:
        os.close(fd)
    try:
        private = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        private = None
    if not isinstance(private, Ed25519PrivateKey):
        raise AuditKeyError(f"the audit key {path} is not an unencrypted Ed25519 PEM private key")
    return AuditKey(private, path)


def load_or_create(path: Path) -> AuditKey:
    """The audit key in `path`, made there (mode 0600) when there is none.
    Two processes starting at once make one key: the file appears whole, by
    a hard link that fails if another got there first."""
    if os.path.lexists(path):
        return load(path)
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.new")
    made = False
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, KEY_MODE)
        made = True
        try:
            os.fchmod(fd, KEY_MODE)  # whatever the umask
            os.write(fd, pem)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(temporary, path)
        except FileExistsError:
            return load(path)
    except OSError as exc:
        raise AuditKeyError(f"cannot make the audit key {path}: {exc.strerror}") from None
    finally:
        if made:
            temporary.unlink(missing_ok=True)
    return AuditKey(private, path, created=True)


def read_public_keys(path: Path) -> list[Ed25519PublicKey]:
    """Every Ed25519 public key (PEM) in a file: one key, or a keys file of many."""
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except OSError as exc:
        raise AuditKeyError(f"cannot read the public key file {path}: {exc.strerror}") from None
    found: list[Ed25519PublicKey] = []
    for block in _PEM_BLOCK.findall(text):
        try:
            key = serialization.load_pem_public_key(block.encode("ascii"))
        except (ValueError, UnsupportedAlgorithm):
            key = None
        if not isinstance(key, Ed25519PublicKey):
            raise AuditKeyError(f"{path} holds a public key that is not a readable Ed25519 key")
        found.append(key)
    if not found:
        raise AuditKeyError(f"{path} holds no public key (a PEM 'BEGIN PUBLIC KEY' block)")
    return found
