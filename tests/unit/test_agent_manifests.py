"""Poll responses: entries encoded once per task version and spliced into valid JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any, cast

from tests.unit.reconcile.reconcile_support import task

from dockyard.api.agent_manifests import (
    InstanceManifest,
    ManifestFragments,
    manifest_entry,
    render,
)
from dockyard.api.context import RequestContext
from dockyard.domain.task_status import DesiredStatus, TaskStatus


@dataclass
class Ctx:
    region: str = "us-east-1"
    account_id: str = "123456789012"


CTX = cast(RequestContext, Ctx())
DOCS: dict[tuple[str, str, int], dict[str, Any] | None] = {
    ("us-east-1", "web", 2): {"family": "web", "revision": 2, "containerDefinitions": []}
}


def test_render_is_the_json_of_the_entries() -> None:
    fragments = ManifestFragments()
    tasks = [task("t1"), task("t2", status=TaskStatus.PENDING)]
    body = render(
        [
            InstanceManifest(
                "i1", "ACTIVE", "e1", tuple(fragments.fragment(CTX, t, DOCS) for t in tasks)
            ),
            InstanceManifest("i2", "MISSING", "e2", ()),
        ]
    )
    assert json.loads(body) == {
        "instances": [
            {
                "id": "i1",
                "status": "ACTIVE",
                "etag": "e1",
                "tasks": [manifest_entry(CTX, t, DOCS) for t in tasks],
            },
            {"id": "i2", "status": "MISSING", "etag": "e2", "tasks": []},
        ]
    }
    assert json.loads(render([])) == {"instances": []}


def definition_of(text: str) -> Any:
    return json.loads(text)["taskDefinition"]


def test_an_entry_is_reencoded_only_when_its_task_version_moves() -> None:
    fragments = ManifestFragments()
    t1 = replace(task("t1"), version=3)
    first = fragments.fragment(CTX, t1, DOCS)
    assert fragments.fragment(CTX, t1, {}) == first  # cached: no document needed
    stopping = replace(t1, desired_status=DesiredStatus.STOPPED, version=4)
    second = fragments.fragment(CTX, stopping, DOCS)
    assert json.loads(first)["desiredStatus"] == "RUNNING"
    assert json.loads(second)["desiredStatus"] == "STOPPED"
    assert fragments.fragment(CTX, stopping, {}) == second
    fragments.forget(["t1"])
    assert definition_of(fragments.fragment(CTX, stopping, {})) is None


def test_an_entry_without_its_definition_is_not_remembered() -> None:
    fragments = ManifestFragments()
    t1 = task("t1")
    assert definition_of(fragments.fragment(CTX, t1, {})) is None
    assert definition_of(fragments.fragment(CTX, t1, DOCS)) == DOCS[("us-east-1", "web", 2)]


def test_the_cache_stays_within_its_limit() -> None:
    fragments = ManifestFragments(limit=4)
    for n in range(10):
        fragments.fragment(CTX, task(f"t{n}"), DOCS)
    remembered = [n for n in range(10) if definition_of(fragments.fragment(CTX, task(f"t{n}"), {}))]
    assert 1 <= len(remembered) <= 4 and 9 in remembered
