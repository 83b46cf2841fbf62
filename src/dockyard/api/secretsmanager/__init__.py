"""AWS Secrets Manager (``secretsmanager``, JSON 1.1).

Secrets and versions live in the store (``store/repositories/secrets.py``), every value sealed
with the envelope cipher (``infra/envelope.py``). Names, ARNs, staging-label moves, deletion
windows and ListSecrets filters are pure (``domain/secrets.py``).
"""

from __future__ import annotations

from dockyard.api.context import Handler
from dockyard.api.secretsmanager import secrets, values

OPERATIONS: dict[str, Handler] = {
    "CreateSecret": secrets.create_secret,
    "UpdateSecret": secrets.update_secret,
    "DescribeSecret": secrets.describe_secret,
    "ListSecrets": secrets.list_secrets,
    "DeleteSecret": secrets.delete_secret,
    "RestoreSecret": secrets.restore_secret,
    "TagResource": secrets.tag_resource,
    "UntagResource": secrets.untag_resource,
    "GetSecretValue": values.get_secret_value,
    "PutSecretValue": values.put_secret_value,
    "ListSecretVersionIds": values.list_secret_version_ids,
}

__all__ = ["OPERATIONS"]
