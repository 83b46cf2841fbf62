"""The one error hierarchy of Dockyard, and the AWS ``__type`` each error answers with.

::

    ApiError                         code, message, http_status (400 unless said)
    ├── ClientException              ECS: a request the caller got wrong
    ├── InvalidParameterException    ECS: a parameter out of its rules
    ├── ClusterNotFoundException     "Cluster not found."
    ├── ClusterContains*Exception    DeleteCluster refusals
    ├── ResourceNotFoundException
    ├── TargetNotFoundException      PutAttributes on an unknown instance
    ├── ResourceInUseException
    ├── LimitExceededException
    ├── ServerException              500, the only server fault ECS models
    ├── ValidationError              a botocore-model violation, coded per service at the edge
    ├── MalformedPolicyDocument      IAM: a policy document that fails validation on write
    ├── IAM / STS                    NoSuchEntity (404), EntityAlreadyExists, DeleteConflict,
    │                                IamLimitExceeded (LimitExceeded) (409), InvalidInput (400),
    │                                StsAccessDenied (AccessDenied, 403)
    └── auth errors                  MissingAuthenticationToken (403), IncompleteSignature (400),
                                     InvalidSignature / SignatureDoesNotMatch (403),
                                     UnrecognizedClient (403), InvalidClientTokenId (403)

Domain code raises these; the API edge turns any of them into the wire envelope of the service
that was called. Nothing else is ever shown to a client: an unexpected exception becomes the
service's internal-failure code with a generic message.
"""

from __future__ import annotations


class ApiError(Exception):
    """An error with an AWS error code, a human message and an HTTP status."""

    code: str = "InternalFailure"
    http_status: int = 400

    def __init__(self, message: str, *, code: str | None = None, http_status: int | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if http_status is not None:
            self.http_status = http_status

    @property
    def is_server_fault(self) -> bool:
        return self.http_status >= 500

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code}: {self.message!r})"


class ClientException(ApiError):
    code = "ClientException"


class InvalidParameterException(ApiError):
    code = "InvalidParameterException"


class ClusterNotFoundException(ApiError):
    code = "ClusterNotFoundException"

    def __init__(self, message: str = "Cluster not found.") -> None:
        super().__init__(message)


class ServiceNotFoundException(ApiError):
    code = "ServiceNotFoundException"

    def __init__(self, message: str = "Service not found.") -> None:
        super().__init__(message)


class ServiceNotActiveException(ApiError):
    code = "ServiceNotActiveException"

    def __init__(self, message: str = "Service was not ACTIVE.") -> None:
        super().__init__(message)


class ClusterContainsServicesException(ApiError):
    code = "ClusterContainsServicesException"


class ClusterContainsTasksException(ApiError):
    code = "ClusterContainsTasksException"


class ClusterContainsContainerInstancesException(ApiError):
    code = "ClusterContainsContainerInstancesException"


class ResourceNotFoundException(ApiError):
    code = "ResourceNotFoundException"


class TargetNotFoundException(ApiError):
    code = "TargetNotFoundException"


class ResourceInUseException(ApiError):
    code = "ResourceInUseException"


class LimitExceededException(ApiError):
    code = "LimitExceededException"


class ServerException(ApiError):
    code = "ServerException"
    http_status = 500


class ValidationError(ApiError):
    """A request that breaks its botocore model (type, required, enum, range, length).

    The edge re-codes it with the called service's own validation code
    (``InvalidParameterException`` for ECS, ``ValidationError`` for ELBv2, ...).
    """

    code = "ValidationError"


class ConcurrentModificationError(ApiError):
    """An optimistic-concurrency conflict that survived the store's bounded retries."""

    code = "ServerException"
    http_status = 500


# --- authentication ---------------------------------------------------------------------


class MissingAuthenticationToken(ApiError):
    code = "MissingAuthenticationTokenException"
    http_status = 403


class IncompleteSignature(ApiError):
    code = "IncompleteSignatureException"
    http_status = 400


class InvalidSignature(ApiError):
    code = "InvalidSignatureException"
    http_status = 403


class UnrecognizedClient(ApiError):
    code = "UnrecognizedClientException"
    http_status = 403


class AccessDenied(ApiError):
    code = "AccessDeniedException"
    http_status = 400


# --- IAM policies -----------------------------------------------------------------------


class MalformedPolicyDocument(ApiError):
    """A policy document IAM would refuse; the message is IAM's (``Syntax errors in policy.``)."""

    code = "MalformedPolicyDocument"
    http_status = 400


# --- IAM and STS (query protocol; codes and statuses as botocore's IAM model has them) ----


class NoSuchEntity(ApiError):
    """An IAM user, group, role, policy, version or access key that does not exist."""

    code = "NoSuchEntity"
    http_status = 404


class EntityAlreadyExists(ApiError):
    code = "EntityAlreadyExists"
    http_status = 409


class DeleteConflict(ApiError):
    """An IAM entity that still has dependents (keys, policies, members, attachments)."""

    code = "DeleteConflict"
    http_status = 409


class IamLimitExceeded(ApiError):
    """An IAM quota (two access keys, five policy versions, policy sizes...)."""

    code = "LimitExceeded"
    http_status = 409


class InvalidInput(ApiError):
    code = "InvalidInput"
    http_status = 400


class StsAccessDenied(ApiError):
    """STS's (and IAM's) refusal: ``User: <arn> is not authorized to perform: <action> on
    resource: <arn>``, answered as the query protocol's ``AccessDenied`` with HTTP 403."""

    code = "AccessDenied"
    http_status = 403
