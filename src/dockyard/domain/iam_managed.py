"""The AWS managed policies Dockyard has built in: attachable, never deletable or changeable.

Each is one :class:`~dockyard.domain.iam.ManagedPolicy` (``aws_managed=True``, ARN
``arn:aws:iam::aws:policy<path><name>``) with one version, ``v1``. The documents follow AWS's
policies of the same name, cut down to the services Dockyard speaks; ``ReadOnlyAccess`` lists
the read actions of those services rather than AWS's several thousand, and leaves out reads of
secret values (``ssm:GetParameter*``, ``secretsmanager:GetSecretValue``). Pure data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dockyard.domain.iam import ManagedPolicy, PolicyVersion

_PUBLISHED = datetime(2015, 2, 6, 18, 39, 46, tzinfo=UTC)
"""When AWS published its first managed policies; the create date AWS shows for most."""


@dataclass(frozen=True, slots=True)
class BuiltinPolicy:
    policy: ManagedPolicy
    document: str

    @property
    def version(self) -> PolicyVersion:
        return PolicyVersion("v1", self.document, self.policy.created_at, is_default=True)


def _document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=4)


def _builtin(
    name: str, policy_id: str, description: str, document: str, path: str = "/"
) -> BuiltinPolicy:
    policy = ManagedPolicy(
        policy_id=policy_id,
        name=name,
        path=path,
        default_version_id="v1",
        created_at=_PUBLISHED,
        updated_at=_PUBLISHED,
        description=description,
        next_version=2,
        aws_managed=True,
    )
    return BuiltinPolicy(policy, document)


_READ_ACTIONS = [
    "ecs:Describe*",
    "ecs:List*",
    "elasticloadbalancing:Describe*",
    "application-autoscaling:Describe*",
    "cloudwatch:Describe*",
    "cloudwatch:Get*",
    "cloudwatch:List*",
    "logs:Describe*",
    "logs:Get*",
    "logs:FilterLogEvents",
    "logs:ListTagsLogGroup",
    "logs:ListTagsForResource",
    "iam:Get*",
    "iam:List*",
    "ssm:Describe*",
    "ssm:List*",
    "secretsmanager:DescribeSecret",
    "secretsmanager:ListSecrets",
    "secretsmanager:ListSecretVersionIds",
    "sts:GetCallerIdentity",
]

BUILTIN_POLICIES: tuple[BuiltinPolicy, ...] = (
    _builtin(
        "AdministratorAccess",
        "ANPAIWMBCKSKIEE64ZLYK",
        "Provides full access to AWS services and resources.",
        _document({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    ),
    _builtin(
        "ReadOnlyAccess",
        "ANPAILL3HVNFSB6DCOWYQ",
        "Provides read-only access to AWS services and resources.",
        _document({"Effect": "Allow", "Action": _READ_ACTIONS, "Resource": "*"}),
    ),
    _builtin(
        "AmazonECS_FullAccess",
        "ANPAJ7S7AN6YQPTJC7IFK",
        "Provides administrative access to Amazon ECS resources and enables ECS features "
        "through access to other AWS service resources.",
        _document(
            {
                "Sid": "ECSIntegrationsManagementPolicy",
                "Effect": "Allow",
                "Action": [
                    "ecs:*",
                    "elasticloadbalancing:*",
                    "application-autoscaling:*",
                    "cloudwatch:*",
                    "logs:*",
                    "iam:GetRole",
                    "iam:ListRoles",
                    "iam:ListAttachedRolePolicies",
                    "iam:ListInstanceProfiles",
                    "ssm:GetParametersByPath",
                    "ssm:DescribeParameters",
                    "secretsmanager:ListSecrets",
                    "sts:GetCallerIdentity",
                ],
                "Resource": "*",
            },
            {
                "Sid": "PassRoleToECSTasks",
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": "*",
                "Condition": {"StringLike": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
            },
        ),
    ),
    _builtin(
        "AmazonECSTaskExecutionRolePolicy",
        "ANPAJG4T4G4PV56DE72PY",
        "Provides access to other AWS service resources that are required to run Amazon ECS tasks",
        _document(
            {
                "Effect": "Allow",
                "Action": [
                    "ecr:GetAuthorizationToken",
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:BatchGetImage",
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                ],
                "Resource": "*",
            }
        ),
        path="/service-role/",
    ),
)

_BY_ID = {b.policy.policy_id: b for b in BUILTIN_POLICIES}
_BY_PATH_NAME = {(b.policy.path, b.policy.name): b for b in BUILTIN_POLICIES}


def builtin_by_id(policy_id: str) -> BuiltinPolicy | None:
    return _BY_ID.get(policy_id)


def builtin_by_name(path: str, name: str) -> BuiltinPolicy | None:
    """The built-in policy at ``path`` + ``name`` (its ARN's resource part), if any."""
    return _BY_PATH_NAME.get((path, name))


__all__ = ["BUILTIN_POLICIES", "BuiltinPolicy", "builtin_by_id", "builtin_by_name"]
