"""No SecureString or secret value is stored or logged in plaintext: write some through a real
server, then read every byte under the data dir (SQLite db, -wal and -shm included) and the
server's log."""

from __future__ import annotations

import base64
import uuid
from pathlib import Path

import pytest
from tests.support.server import ServerProcess

pytestmark = pytest.mark.e2e


def _needles(*values: str) -> list[bytes]:
    out: list[bytes] = []
    for value in values:
        raw = value.encode()
        out += [raw, base64.b64encode(raw), value.encode("utf-16-le")]
    return out


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def _hits(paths: list[Path], needles: list[bytes]) -> list[str]:
    return [
        f"{path.name}: {needle!r}"
        for path in paths
        for needle in needles
        if needle in path.read_bytes()
    ]


def test_data_dir_holds_no_plaintext(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    server = ServerProcess(data_dir=data_dir).start()
    marker = uuid.uuid4().hex
    ssm_value = f"SSM-PLAINTEXT-{marker}"
    string_value = f"SM-STRING-{marker}"
    binary_value = f"SM-BINARY-{marker}"
    try:
        ssm = server.client("ssm")
        sm = server.client("secretsmanager")
        ssm.put_parameter(Name="/at-rest/p", Value=ssm_value, Type="SecureString")
        ssm.put_parameter(Name="/at-rest/p", Value=ssm_value + "-v2", Overwrite=True)
        sm.create_secret(Name="at-rest", SecretString=string_value)
        sm.put_secret_value(SecretId="at-rest", SecretBinary=binary_value.encode())
        # Reading them back must not leave a copy anywhere either.
        ssm.get_parameter(Name="/at-rest/p", WithDecryption=True)
        assert sm.get_secret_value(SecretId="at-rest")["SecretBinary"] == binary_value.encode()
        files = _files(data_dir)
        assert "dockyard.db" in {p.name for p in files}
        needles = _needles(ssm_value, string_value, binary_value)
        assert _hits(files, needles) == []
    finally:
        server.stop()
    logs = list(tmp_path.glob("server-*.log"))
    assert _hits(_files(data_dir) + logs, _needles(ssm_value, string_value, binary_value)) == []
    # The check itself works: the parameter's plain name is stored and found.
    assert any(b"/at-rest/p" in p.read_bytes() for p in _files(data_dir))
