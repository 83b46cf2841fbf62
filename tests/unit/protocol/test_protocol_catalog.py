"""The service catalog: framing and routing keys per service, error codes, public surface."""

from __future__ import annotations

import time

import botocore.loaders
import pytest
from tests.unit.protocol.protocol_support import CATALOG

import dockyard.api.protocol as protocol
from dockyard.api.protocol import ALL_SERVICES, Catalog

ECS_PREFIX = "AmazonEC2ContainerServiceV20141113"

TABLE = [
    # name, protocol, json version, target prefix, signing name, xml namespace
    ("ecs", "json", "1.1", ECS_PREFIX, "ecs", None),
    ("application-autoscaling", "json", "1.1", "AnyScaleFrontendService",
     "application-autoscaling", None),
    ("logs", "json", "1.1", "Logs_20140328", "logs", None),
    ("ssm", "json", "1.1", "AmazonSSM", "ssm", None),
    ("secretsmanager", "json", "1.1", "secretsmanager", "secretsmanager", None),
    ("cloudwatch", "json", "1.0", "GraniteServiceVersion20100801", "monitoring",
     "http://monitoring.amazonaws.com/doc/2010-08-01/"),
    ("elbv2", "query", None, None, "elasticloadbalancing",
     "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"),
    ("iam", "query", None, None, "iam", "https://iam.amazonaws.com/doc/2010-05-08/"),
    ("sts", "query", None, None, "sts", "https://sts.amazonaws.com/doc/2011-06-15/"),
]


@pytest.mark.parametrize(("name", "proto", "version", "prefix", "signing", "ns"), TABLE,
                         ids=[row[0] for row in TABLE])
def test_service_framing(
    name: str, proto: str, version: str | None, prefix: str | None, signing: str, ns: str | None
) -> None:
    spec = CATALOG.get(name)
    assert (spec.name, spec.protocol, spec.json_version, spec.target_prefix) == (
        name, proto, version, prefix)
    assert (spec.signing_name, spec.xml_namespace) == (signing, ns)
    assert CATALOG.by_signing_name(signing) is spec
    if prefix:
        assert CATALOG.by_target_prefix(prefix) is spec


def test_primary_protocol_is_the_one_botocore_clients_use() -> None:
    for name in ALL_SERVICES:
        spec = CATALOG.get(name)
        assert spec.protocol == spec.model.resolved_protocol


def test_cloudwatch_also_answers_in_query() -> None:
    spec = CATALOG.get("cloudwatch", protocol="query")
    assert (spec.protocol, spec.json_version, spec.target_prefix) == ("query", None, None)
    assert spec.xml_namespace == "http://monitoring.amazonaws.com/doc/2010-08-01/"
    assert CATALOG.get("cloudwatch").query_compatible
    assert not spec.query_compatible


def test_unknown_lookups() -> None:
    assert CATALOG.by_target_prefix("DynamoDB_20120810") is None
    assert CATALOG.by_signing_name("s3") is None
    with pytest.raises(KeyError):
        CATALOG.get("dynamodb")
    with pytest.raises(KeyError):
        CATALOG.get("ecs", protocol="query")


# AWS's common errors (returned by every service without being modeled by most).
COMMON_ERRORS = {"InternalFailure", "ValidationError", "ValidationException"}


@pytest.mark.parametrize("name", ALL_SERVICES)
def test_error_codes_are_modeled_or_common(name: str) -> None:
    spec = CATALOG.get(name)
    modeled = {shape.error_code for shape in spec.model.error_shapes}
    for code in (spec.validation_error_code, spec.internal_error_code):
        assert code in modeled or code in COMMON_ERRORS, code


@pytest.mark.parametrize("name", ALL_SERVICES)
def test_modeled_internal_errors_are_server_faults(name: str) -> None:
    spec = CATALOG.get(name)
    shape = spec.model.shape_for_error_code(spec.internal_error_code)
    if shape is None:
        assert spec.internal_error_code in COMMON_ERRORS
        return
    raw = botocore.loaders.create_loader().load_service_model(name, "service-2")["shapes"]
    definition = raw[shape.name]
    # Application Auto Scaling forgot "fault: true" on its InternalServiceException.
    assert (
        definition.get("fault")
        or definition.get("error", {}).get("httpStatusCode") == 500
        or "internal error" in definition.get("documentation", "")
    )


def test_catalog_loads_quickly() -> None:
    started = time.perf_counter()
    Catalog()
    assert time.perf_counter() - started < 2.0


def test_subset_catalog() -> None:
    catalog = Catalog(["ecs"])
    assert catalog.names == ("ecs",)
    assert catalog.by_signing_name("sts") is None


def test_all_is_honest() -> None:
    public = {name for name in dir(protocol) if not name.startswith("_")}
    exported = set(protocol.__all__)
    assert exported <= public
    modules = {"catalog", "schema", "json_wire", "query_wire", "xml_wire", "validation",
               "violations", "scalars", "routing", "inbound", "outbound"}
    assert public - exported <= modules
