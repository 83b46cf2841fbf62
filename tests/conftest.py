"""Shared fixtures: store backends (SQLite and the test PostgreSQL) and a real server process."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

PG_URL_ENV = "DOCKYARD_TEST_PG_URL"

# Shared, noisy machines: a GC pause or stolen CPU must not fail a property. No per-example
# deadline and no "too slow" health check; tests that set their own settings keep the rest.
settings.register_profile(
    "dockyard", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("dockyard")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """PostgreSQL tests skip locally without a server, but never silently in CI."""
    if os.environ.get(PG_URL_ENV):
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"{PG_URL_ENV} must be set in CI (scripts/test.sh sets it)")
    skip = pytest.mark.skip(reason=f"{PG_URL_ENV} not set (run scripts/test.sh)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def _fresh_pg_schema(url: str) -> tuple[str, str]:
    """A URL whose search_path is a new, empty schema (dropped by the caller's fixture)."""
    import sqlalchemy as sa

    schema = "t_" + uuid.uuid4().hex[:12]
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine.dispose()
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}", schema


def _drop_pg_schema(url: str, schema: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    base = os.environ[PG_URL_ENV]
    url, schema = _fresh_pg_schema(base)
    try:
        yield url
    finally:
        _drop_pg_schema(base, schema)
