"""One ELBv2 listener → one HAProxy ``frontend`` section. Pure and deterministic.

How priority order survives HAProxy's own evaluation order
----------------------------------------------------------
HAProxy runs every ``http-request`` rule before any ``use_backend``, so writing fixed-response
and redirect actions as ``http-request return/redirect`` next to ``use_backend`` lines would
let a later-priority redirect beat an earlier-priority forward. Instead the frontend first
*selects* the winning rule, then *acts* on it::

    acl r10_c1 path_reg '^/api/.*$'                        conditions → named ACLs
    http-request set-var(txn.rule) int(10) if !{ var(txn.rule) -m found } r10_c1 …
    http-request set-var(txn.rule) int(20) if !{ var(txn.rule) -m found } r20_c1
    http-request set-var(txn.rule) int(0) if !{ var(txn.rule) -m found }   (default action)
    http-request return status 404 … if { var(txn.rule) -m int 20 }
    use_backend api if { var(txn.rule) -m int 10 }

Each selection line only fires while no earlier rule matched, so ``txn.rule`` holds the
lowest matching priority (or 0 for the default action) and exactly one action line applies.
A condition's values become lines of one ACL name (HAProxy ORs them); a rule's conditions are
separate ACL names on one ``if`` (HAProxy ANDs them). A default action that forwards to one
backend is a plain ``default_backend``, with no selection line.

Weighted forward (several target groups)
----------------------------------------
HAProxy cannot chain backends, so a weighted forward draws ``rand(total)`` into
``txn.weight`` once for that rule and picks the backend whose cumulative-weight interval holds
it: ``use_backend a if <rule> { var(txn.weight) -m int lt 30 }`` then ``use_backend b if
<rule>``. Targets are taken in name order; weight-0 targets are left out.

A ``tcp`` frontend (NLB listener) has no rules: ``default_backend``, or the same weighted
draw with ``tcp-request content set-var``.
"""

from __future__ import annotations

from collections.abc import Iterator

from dockyard.lb.model import (
    Action,
    Condition,
    ConditionKind,
    FixedResponseAction,
    ForwardAction,
    Frontend,
    Mode,
    RedirectAction,
    Rule,
    WeightedBackend,
)
from dockyard.lb.patterns import (
    has_wildcard,
    header_value_regex,
    host_regex,
    path_regex,
    query_regex,
)
from dockyard.lb.quoting import log_format_literal, word

__all__ = ["DEFAULT_RULE", "bind_address", "condition_acls", "render_frontend"]

DEFAULT_RULE = 0
"""``txn.rule`` of the default action; ELBv2 priorities start at 1."""

RULE_VAR = "txn.rule"
WEIGHT_VAR = "txn.weight"
NOT_SELECTED = f"!{{ var({RULE_VAR}) -m found }}"
DEFAULT_PORTS = {"http": "80", "https": "443"}
INDENT = "    "


def render_frontend(frontend: Frontend) -> str:
    """The ``frontend`` section of one listener (ends with a newline)."""
    head = [
        f"frontend {frontend.name}",
        f"mode {frontend.mode.value}",
        f"bind {bind_address(frontend.bind_address, frontend.port)}",
    ]
    body = list(_tcp_body(frontend) if frontend.mode is Mode.TCP else _http_body(frontend))
    lines = [head[0], *(INDENT + line for line in head[1:] + body)]
    return "\n".join(lines) + "\n"


def bind_address(address: str, port: int) -> str:
    """``address:port``; IPv6 addresses in brackets."""
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def _tcp_body(frontend: Frontend) -> Iterator[str]:
    action = frontend.default_action
    assert isinstance(action, ForwardAction)  # validate() refuses anything else
    targets = _positive(action)
    if len(targets) == 1:
        yield f"default_backend {targets[0].backend}"
        return
    yield f"tcp-request content set-var({WEIGHT_VAR}) rand({_total(targets)})"
    yield from _weighted_use_backend(targets, "")


def _http_body(frontend: Frontend) -> Iterator[str]:
    rules = sorted(frontend.rules, key=lambda r: r.priority)
    yield "option forwardfor"
    yield "http-request set-header X-Forwarded-Proto http"
    yield f"http-request set-header X-Forwarded-Port {frontend.port}"
    for rule in rules:
        yield from _selection(rule)
    default = frontend.default_action
    plain_default = _single_backend(default)
    actions = [(rule.priority, rule.action) for rule in rules]
    if plain_default is None:
        yield f"http-request set-var({RULE_VAR}) int({DEFAULT_RULE}) if {NOT_SELECTED}"
        actions.append((DEFAULT_RULE, default))
    for priority, action in actions:
        yield from _http_request_action(priority, action, frontend.port)
    for priority, action in actions:
        if isinstance(action, ForwardAction):
            yield from _use_backend(priority, action)
    if plain_default is not None:
        yield f"default_backend {plain_default}"


def _selection(rule: Rule) -> Iterator[str]:
    names: list[str] = []
    for index, condition in enumerate(_sorted_conditions(rule.conditions), start=1):
        name = f"r{rule.priority}_c{index}"
        names.append(name)
        for test in condition_acls(condition):
            yield f"acl {name} {test}"
    tests = " ".join([NOT_SELECTED, *names])
    yield f"http-request set-var({RULE_VAR}) int({rule.priority}) if {tests}"


def _sorted_conditions(conditions: tuple[Condition, ...]) -> list[Condition]:
    return sorted(conditions, key=lambda c: (c.kind.value, c.key or "", sorted(c.values)))


def condition_acls(condition: Condition) -> list[str]:
    """The ACL criteria (after ``acl <name>``) whose OR is ``condition``; deterministic."""
    values = sorted(set(condition.values))
    kind = condition.kind
    if kind is ConditionKind.PATH_PATTERN:
        exact = [v for v in values if not has_wildcard(v)]
        regexes = [path_regex(v) for v in values if has_wildcard(v)]
        return _acl_lines("path", exact) + _acl_lines("path_reg", regexes)
    if kind is ConditionKind.HOST_HEADER:
        return _acl_lines("hdr_reg(host) -i", [host_regex(v) for v in values])
    if kind is ConditionKind.HTTP_HEADER:
        sample = f"req.fhdr({condition.key}) -m reg -i"
        return _acl_lines(sample, [header_value_regex(v) for v in values])
    if kind is ConditionKind.QUERY_STRING:
        return _acl_lines("query -m reg -i", [query_regex(v) for v in values])
    return _acl_lines("method", values)


def _acl_lines(criterion: str, patterns: list[str]) -> list[str]:
    if not patterns:
        return []
    return [criterion + " " + " ".join(word(p) for p in patterns)]


def _is_rule(priority: int) -> str:
    return f"{{ var({RULE_VAR}) -m int {priority} }}"


def _http_request_action(priority: int, action: Action, port: int) -> Iterator[str]:
    when = _is_rule(priority)
    if isinstance(action, FixedResponseAction):
        yield f"{_fixed_response(action)} if {when}"
    elif isinstance(action, RedirectAction):
        yield from _redirect(action, port, when)
    elif len(targets := _positive(action)) > 1:
        yield f"http-request set-var({WEIGHT_VAR}) rand({_total(targets)}) if {when}"


def _fixed_response(action: FixedResponseAction) -> str:
    line = f"http-request return status {action.status_code}"
    if action.body:
        line += f" content-type {word(action.content_type)} string {word(action.body)}"
    return line


def _use_backend(priority: int, action: ForwardAction) -> Iterator[str]:
    yield from _weighted_use_backend(_positive(action), " if " + _is_rule(priority))


def _weighted_use_backend(targets: list[WeightedBackend], when: str) -> Iterator[str]:
    """``when`` is `` if <rule>`` or empty; the last target takes what is left."""
    cumulative = 0
    for target in targets[:-1]:
        cumulative += target.weight
        draw = f"{{ var({WEIGHT_VAR}) -m int lt {cumulative} }}"
        yield f"use_backend {target.backend}{when or ' if'} {draw}"
    yield f"use_backend {targets[-1].backend}{when}"


def _positive(action: ForwardAction) -> list[WeightedBackend]:
    return sorted((t for t in action.targets if t.weight > 0), key=lambda t: t.backend)


def _total(targets: list[WeightedBackend]) -> int:
    return sum(t.weight for t in targets)


def _single_backend(action: Action) -> str | None:
    if isinstance(action, ForwardAction) and len(targets := _positive(action)) == 1:
        return targets[0].backend
    return None


PLACEHOLDERS = {
    "#{host}": "%[req.hdr(host),field(1,:)]",
    "#{path}": "%[path,bytes(1)]",
    "#{query}": "%[query]",
}
"""Request parts a redirect reuses, as log-format samples; ``#{protocol}`` and ``#{port}`` are
the listener's own and are known when rendering."""


def _expand(template: str, port: int) -> str:
    """A redirect part as a log-format string: literals escaped, placeholders sampled."""
    out = log_format_literal(template.replace("#{protocol}", "http").replace("#{port}", str(port)))
    for placeholder, sample in PLACEHOLDERS.items():
        out = out.replace(placeholder, sample)
    return out


def _redirect(action: RedirectAction, port: int, when: str) -> Iterator[str]:
    scheme = _expand(action.protocol, port).lower()
    target_port = _expand(action.port, port)
    base = f"{scheme}://{_expand(action.host, port)}"
    if DEFAULT_PORTS.get(scheme) != target_port:
        base += f":{target_port}"
    base += _expand(action.path, port)
    code = f"code {action.status.code}"
    if action.query == "#{query}":
        with_query = base + "?" + PLACEHOLDERS["#{query}"]
        yield f"http-request redirect location {word(with_query)} {code} if {when} " + (
            "{ query -m len gt 0 }"
        )
        yield f"http-request redirect location {word(base)} {code} if {when}"
    else:
        location = base + ("?" + _expand(action.query, port) if action.query else "")
        yield f"http-request redirect location {word(location)} {code} if {when}"
