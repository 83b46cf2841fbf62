"""State survives a restart on the same data dir (SQLite) and the same database (PostgreSQL)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.support.server import ServerProcess


def _exercise_restart(data_dir: Path, db_url: str | None) -> None:
    first = ServerProcess(data_dir=data_dir, db_url=db_url).start()
    try:
        key_before = first.credentials()
        ecs = first.client("ecs")
        ecs.create_cluster(clusterName="durable", tags=[{"key": "k", "value": "v"}])
        ecs.register_task_definition(
            family="durable",
            containerDefinitions=[{"name": "a", "image": "busybox", "memory": 16}],
        )
        ecs.put_account_setting(name="containerInsights", value="enabled")
    finally:
        first.stop()
    second = ServerProcess(data_dir=data_dir, db_url=db_url, port=first.port).start()
    try:
        assert second.credentials() == key_before
        ecs = second.client("ecs")
        cluster = ecs.describe_clusters(clusters=["durable"], include=["TAGS"])["clusters"][0]
        assert cluster["tags"] == [{"key": "k", "value": "v"}]
        td = ecs.describe_task_definition(taskDefinition="durable")["taskDefinition"]
        assert td["revision"] == 1
        again = ecs.register_task_definition(
            family="durable",
            containerDefinitions=[{"name": "a", "image": "busybox", "memory": 16}],
        )
        assert again["taskDefinition"]["revision"] == 2
        settings = ecs.list_account_settings(name="containerInsights")["settings"]
        assert [s["value"] for s in settings] == ["enabled"]
    finally:
        second.stop()


def test_restart_sqlite(tmp_path: Path) -> None:
    _exercise_restart(tmp_path / "data", None)


@pytest.mark.postgres
def test_restart_postgres(tmp_path: Path) -> None:
    import sqlalchemy as sa

    base = os.environ["DOCKYARD_TEST_PG_URL"]
    schema = "restart_" + os.urandom(4).hex()
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        _exercise_restart(tmp_path / "data", f"{base}?options=-csearch_path%3D{schema}")
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        engine.dispose()
    assert not list((tmp_path / "data").glob("*.db")), "PostgreSQL run must not create SQLite"
