"""Which AWS services Dockyard speaks, how each is framed on the wire, and its error codes.

A :class:`ServiceSpec` is everything the protocol layer needs to know about one service; all of
it comes from botocore's service model except the two error codes, which AWS does not model for
most services. The choice, per service (checked against each model's error shapes and against
what the real endpoints answer):

===========================  ===========  ==========================  ===========================
service                      wire         validation error code       internal error code
===========================  ===========  ==========================  ===========================
ecs                          json 1.1     InvalidParameterException   ServerException (modeled)
application-autoscaling      json 1.1     ValidationException (mod.)  InternalServiceException
logs                         json 1.1     InvalidParameterException   ServiceUnavailableException
ssm                          json 1.1     ValidationException (mod.)  InternalServerError
secretsmanager               json 1.1     ValidationException         InternalServiceError
cloudwatch                   json 1.0     InvalidParameterValue       InternalServiceError
                             (+ query)    (modeled, query code)       (InternalServiceFault's code)
elbv2                        query/XML    ValidationError             InternalFailure
iam                          query/XML    ValidationError             ServiceFailure (modeled)
sts                          query/XML    ValidationError             InternalFailure
cloudtrail                   json 1.1     InvalidParameterException   InternalFailure
                                          (modeled)
===========================  ===========  ==========================  ===========================

Notes: CloudWatch Logs answers model violations with ``InvalidParameterException`` and most of
its operations model ``ServiceUnavailableException`` as the server fault. Secrets Manager does
not model ``ValidationException`` but returns it (AWS common error). ELBv2, IAM and STS use the
query-protocol common errors ``ValidationError`` / ``InternalFailure`` (IAM models its own
``ServiceFailure``). CloudWatch is an ``awsQueryCompatible`` service: its codes are the *query*
codes; the JSON envelope maps them back to shape names (see ``errors.py``). Real CloudWatch is not
uniform (it also says ``ValidationError`` / ``MissingParameter``); ``InvalidParameterValue`` is
what it returns for size and range violations and is modeled, so boto3 raises a typed exception.

Purity: loading reads botocore's bundled JSON files once per :class:`Catalog`; nothing else.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

import botocore.model
import botocore.session

ALL_SERVICES: tuple[str, ...] = (
    "ecs",
    "application-autoscaling",
    "logs",
    "ssm",
    "secretsmanager",
    "cloudwatch",
    "elbv2",
    "iam",
    "sts",
    "cloudtrail",
)

# service -> (validation error code, internal error code); see the module docstring.
_ERROR_CODES: dict[str, tuple[str, str]] = {
    "ecs": ("InvalidParameterException", "ServerException"),
    "application-autoscaling": ("ValidationException", "InternalServiceException"),
    "logs": ("InvalidParameterException", "ServiceUnavailableException"),
    "ssm": ("ValidationException", "InternalServerError"),
    "secretsmanager": ("ValidationException", "InternalServiceError"),
    "cloudwatch": ("InvalidParameterValue", "InternalServiceError"),
    "elbv2": ("ValidationError", "InternalFailure"),
    "iam": ("ValidationError", "ServiceFailure"),
    "sts": ("ValidationError", "InternalFailure"),
    "cloudtrail": ("InvalidParameterException", "InternalFailure"),
}
_DEFAULT_JSON_CODES = ("ValidationException", "InternalFailure")
_DEFAULT_QUERY_CODES = ("ValidationError", "InternalFailure")

# botocore's own client preference when a model lists several protocols (model.py).
_PROTOCOL_PRIORITY = ("json", "query")


@dataclass(frozen=True)
class ServiceSpec:
    """How one AWS service is spoken: framing, routing keys, model and error codes.

    ``protocol`` is ``"json"`` or ``"query"`` (query-in, XML-out). ``json_version`` and
    ``target_prefix`` are set only for JSON; ``xml_namespace`` whenever the model declares one.
    """

    name: str
    protocol: str
    json_version: str | None
    target_prefix: str | None
    signing_name: str
    model: botocore.model.ServiceModel
    validation_error_code: str
    internal_error_code: str
    xml_namespace: str | None

    @property
    def query_compatible(self) -> bool:
        """True when a JSON service must also name its errors by their old query codes."""
        return self.protocol == "json" and "awsQueryCompatible" in self.model.metadata


class Catalog:
    """The services Dockyard serves, indexed by name, JSON target prefix and signing name.

    Models load once, at construction (all ten take about 0.1 s; shapes resolve lazily).
    A model that lists several protocols is served in the one botocore's client picks; if
    it also lists ``query`` (CloudWatch), a query variant is kept for older SDKs, reachable
    through ``get(name, protocol="query")``.
    """

    def __init__(self, service_names: Iterable[str] = ALL_SERVICES) -> None:
        session = botocore.session.get_session()
        self._specs: dict[tuple[str, str], ServiceSpec] = {}
        self._primary: dict[str, ServiceSpec] = {}
        self._by_target: dict[str, ServiceSpec] = {}
        self._by_signing: dict[str, ServiceSpec] = {}
        for name in service_names:
            for spec in _specs_for(name, session.get_service_model(name)):
                self._specs[(name, spec.protocol)] = spec
                self._primary.setdefault(name, spec)
            primary = self._primary[name]
            if primary.target_prefix:
                self._by_target[primary.target_prefix] = primary
            self._by_signing.setdefault(primary.signing_name, primary)

    @property
    def names(self) -> tuple[str, ...]:
        """The served service names, in the order given."""
        return tuple(self._primary)

    def get(self, name: str, protocol: str | None = None) -> ServiceSpec:
        """The spec of service ``name`` (its primary protocol unless ``protocol`` is given).

        Raises ``KeyError`` for a service (or protocol) this catalog does not serve.
        """
        if protocol is None:
            return self._primary[name]
        return self._specs[(name, protocol)]

    def by_target_prefix(self, prefix: str) -> ServiceSpec | None:
        """The JSON service whose ``X-Amz-Target`` starts with ``prefix.``, if any."""
        return self._by_target.get(prefix)

    def by_signing_name(self, signing_name: str) -> ServiceSpec | None:
        """The service signed as ``signing_name`` in a SigV4 scope (``monitoring``...), if any."""
        return self._by_signing.get(signing_name)


def _specs_for(name: str, model: botocore.model.ServiceModel) -> list[ServiceSpec]:
    """The primary spec first, then a query variant when the model also lists query."""
    meta = model.metadata
    protocols = meta.get("protocols") or [meta["protocol"]]
    served = [p for p in _PROTOCOL_PRIORITY if p in protocols]
    if not served:
        raise ValueError(f"service {name!r} speaks none of {_PROTOCOL_PRIORITY}: {protocols}")
    json_codes = _ERROR_CODES.get(name, _DEFAULT_JSON_CODES)
    query_codes = _ERROR_CODES.get(name, _DEFAULT_QUERY_CODES)
    base = ServiceSpec(
        name=name,
        protocol="json",
        json_version=meta.get("jsonVersion", "1.0"),
        target_prefix=meta.get("targetPrefix"),
        signing_name=model.signing_name or meta.get("endpointPrefix", name),
        model=model,
        validation_error_code=json_codes[0],
        internal_error_code=json_codes[1],
        xml_namespace=meta.get("xmlNamespace"),
    )
    query = dataclasses.replace(
        base,
        protocol="query",
        json_version=None,
        target_prefix=None,
        validation_error_code=query_codes[0],
        internal_error_code=query_codes[1],
    )
    return [base if p == "json" else query for p in served]
