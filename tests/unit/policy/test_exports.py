"""The package's public surface is exactly ``__all__`` (kept honest, as httpx does)."""

from __future__ import annotations

import dockyard.domain.policy as policy


def test_all_is_exactly_the_public_names() -> None:
    public = {name for name in dir(policy) if not name.startswith("_")}
    modules = {"conditions", "document", "engine", "parser", "patterns", "trust"}
    assert set(policy.__all__) == public - modules
    assert policy.__all__ == sorted(policy.__all__)


def test_signatures_the_other_layers_rely_on() -> None:
    import inspect

    parse = inspect.signature(policy.parse_policy_document)
    assert list(parse.parameters) == ["text", "kind"]
    assert parse.parameters["kind"].kind is inspect.Parameter.KEYWORD_ONLY
    trust = inspect.signature(policy.evaluate_trust)
    assert all(
        trust.parameters[n].kind is inspect.Parameter.KEYWORD_ONLY
        for n in ("principal", "action", "context")
    )
    assert [f for f in policy.AccessRequest.__dataclass_fields__] == [
        "action",
        "resource",
        "context",
    ]
    assert [f for f in policy.Evaluation.__dataclass_fields__] == ["decision", "policy", "sid"]
    assert [f for f in policy.NamedPolicy.__dataclass_fields__] == ["name", "document"]
    assert [f for f in policy.TrustPrincipal.__dataclass_fields__] == [
        "arn",
        "account_id",
        "service",
    ]
    assert {d.name for d in policy.Decision} == {"ALLOW", "EXPLICIT_DENY", "IMPLICIT_DENY"}
    assert {k.name for k in policy.PolicyKind} == {"IDENTITY", "TRUST"}
