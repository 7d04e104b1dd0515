"""Reading a database URL: a URL or a plain path opens; anything else is one
DatabaseURLError, one line, the password blanked."""

from __future__ import annotations

import tempfile
from contextlib import chdir
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from switch.db.database import connect_database, migrate, normalise_url, open_engine
from switch.db.database_url import DatabaseURLError, missing_sqlite_file, parse_database_url
from switch.errors import SwitchError
from switch.serving.server import free_port

FORMS = "write sqlite:///PATH, postgresql://USER@HOST/DB or a file path"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", f"cannot open the audit database '': no URL given; {FORMS}"),
        ("  ", f"cannot open the audit database '  ': no URL given; {FORMS}"),
        (
            "mysql://root@db/switch",
            "cannot open the audit database 'mysql://root@db/switch': "
            f"the switch speaks sqlite and postgresql, not 'mysql'; {FORMS}",
        ),
        (
            "nosuchdriver://x",
            "cannot open the audit database 'nosuchdriver://x': "
            f"the switch speaks sqlite and postgresql, not 'nosuchdriver'; {FORMS}",
        ),
        (
            "sqlite+nodriver:///x.db",
            "cannot open the audit database 'sqlite+nodriver:///x.db': "
            f"there is no driver 'sqlite+nodriver' here; {FORMS}",
        ),
        (
            "sqlite:x.db",
            "cannot open the audit database 'sqlite:x.db': "
            "not a URL that can be read (Could not parse SQLAlchemy URL from given URL string)",
        ),
        (
            "postgresql://switch:hunter2@db:port/switch",
            "cannot open the audit database 'postgresql://switch:***@db:port/switch': "
            "not a URL that can be read (invalid literal for int() with base 10: 'port')",
        ),
        ("x\x00.db", "cannot open the audit database 'x\\x00.db': it holds a NUL character"),
        (
            "sqlite:///x.db?colour=red",
            "cannot open the audit database 'sqlite:///x.db?colour=red': "
            "Query string argument(s) 'colour' are not accepted by the pysqlite driver and "
            "are being ignored; SQLite URI arguments require that 'uri=true' also be present "
            "in the URL.",
        ),
    ],
)
def test_a_url_that_names_no_database_is_one_line_saying_why(
    url: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DatabaseURLError) as raised:
        connect_database(url)
    assert raised.value.message == message
    assert isinstance(raised.value, SwitchError)
    assert list(tmp_path.iterdir()) == []  # nothing made on the way to the refusal


@pytest.mark.parametrize("form", ["{path}", "sqlite:///{path}"])
def test_a_sqlite_file_in_a_folder_that_does_not_exist(form: str, tmp_path: Path) -> None:
    url = form.format(path=tmp_path / "missing" / "audit.db")
    with pytest.raises(DatabaseURLError) as raised:
        open_engine(url)
    folder = tmp_path / "missing"
    assert raised.value.message == (
        f"cannot open the audit database '{url}': there is no folder '{folder}'"
    )


def test_a_folder_is_no_sqlite_file(tmp_path: Path) -> None:
    with pytest.raises(DatabaseURLError) as raised:
        open_engine(str(tmp_path))
    assert raised.value.message == (
        f"cannot open the audit database '{tmp_path}': that is a folder, not a SQLite file"
    )


def test_a_postgresql_server_that_does_not_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"postgresql://switch:hunter2@127.0.0.1:{free_port()}/switch"
    engine = open_engine(url)  # nothing is connected yet
    engine.dispose()
    with pytest.raises(DatabaseURLError) as raised:
        connect_database(url)
    message = raised.value.message
    shown = url.replace("hunter2", "***")
    assert message.startswith(f"cannot open the audit database '{shown}': connection failed: ")
    assert message.endswith("Connection refused") and "\n" not in message


@pytest.mark.parametrize("relative", [True, False])
def test_a_plain_path_is_a_sqlite_file(
    relative: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = Path("audit.db") if relative else tmp_path / "audit.db"
    assert missing_sqlite_file(str(path)) == str(path)
    engine = connect_database(str(path))
    try:
        migrate(engine)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM audit_records")).scalar() == 0
    finally:
        engine.dispose()
    assert (tmp_path / "audit.db").is_file()
    assert missing_sqlite_file(str(path)) is None
    assert normalise_url(str(path)) == f"sqlite:///{path}"
    assert parse_database_url(str(path)) == parse_database_url(f"sqlite:///{path}")


def test_open_engine_makes_no_file_until_asked(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    open_engine(str(path)).dispose()
    assert not path.exists()


def test_postgresql_urls_take_the_driver_shipped() -> None:
    assert normalise_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_url("postgres://u:pw@h:5433/d") == "postgresql+psycopg://u:pw@h:5433/d"
    assert normalise_url("postgresql+psycopg://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_url("sqlite://") == "sqlite://"


# Prefixes that steer arbitrary text towards each way a URL is read.
PREFIXES = [
    "",
    "./",
    "sqlite://",
    "sqlite:///",
    "sqlite:",
    "sqlite+pysqlite:///",
    "postgresql://",
    "postgres://",
    "postgresql://postgres@127.0.0.1:5432/",
    "postgresql+psycopg://postgres@localhost/",
    "mysql://",
    "file:",
    "://",
]
LOCAL_HOSTS = (None, "", "127.0.0.1", "localhost")


def _may_open(text: str, folder: Path) -> bool:
    """Whether opening touches only what the test owns: a SQLite file inside
    its folder, or a PostgreSQL server on this machine (no name lookups)."""
    url = parse_database_url(text)
    if url.get_backend_name() == "postgresql":
        return url.host in LOCAL_HOSTS
    database = url.database or ""
    if database in ("", ":memory:"):
        return True
    try:
        return (folder / database).resolve().is_relative_to(folder.resolve())
    except (OSError, ValueError):
        return False


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(),
        st.text(st.characters(exclude_categories=())),  # lone surrogates, as argv may carry
        st.tuples(st.sampled_from(PREFIXES), st.text()).map("".join),
    )
)
def test_any_text_opens_or_is_one_database_url_error(text: str) -> None:
    with tempfile.TemporaryDirectory() as name, chdir(name):
        folder = Path(name)
        try:
            if not _may_open(text, folder):
                return
            connect_database(text).dispose()
        except DatabaseURLError as exc:
            assert exc.message.startswith("cannot open the audit database ")
            assert "\n" not in exc.message and "\r" not in exc.message
