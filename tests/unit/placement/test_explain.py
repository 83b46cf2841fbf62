"""explain: every instance, kept with its key values and rank, or dropped with every reason."""

from __future__ import annotations

from tests.unit.placement.placement_support import instance

from dockyard.placement import (
    PlacementConstraint,
    PlacementStrategy,
    StrategyValue,
    TaskDemand,
    explain,
)
from dockyard.placement import reasons as R


def test_kept_ranked_by_key_dropped_with_reasons() -> None:
    pool = [instance("a1", az="a", memory=2048, groups={"service:api": 1}), instance("a2", az="a", memory=1024),
            instance("b1", az="b", memory=4096), instance("x", connected=False, memory=100)]
    verdicts = explain(TaskDemand(1, 512), pool, group="service:api", constraints=[PlacementConstraint("distinctInstance")],
                       strategies=[PlacementStrategy("spread", "attribute:ecs.availability-zone"),
                                   PlacementStrategy("binpack", "memory"), PlacementStrategy("random")])
    by_id = {v.instance_id: v for v in verdicts}
    assert by_id["b1"].rank == 1 and by_id["b1"].keys == (
        StrategyValue("spread attribute:ecs.availability-zone", 0), StrategyValue("binpack memory", 3584),
        StrategyValue("random", None))
    assert by_id["a2"].rank == 2 and by_id["a2"].keys[:2] == (
        StrategyValue("spread attribute:ecs.availability-zone", 1), StrategyValue("binpack memory", 512))
    assert not by_id["a1"].kept and by_id["a1"].reasons == (R.DISTINCT_INSTANCE,)
    assert not by_id["x"].kept and by_id["x"].reasons == (R.AGENT, R.MEMORY)
    assert [v.instance_id for v in verdicts] == ["b1", "a2", "a1", "x"]
