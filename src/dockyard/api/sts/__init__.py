"""AWS Security Token Service (query protocol in, XML out): operation name → handler.

Sessions are minted by :func:`dockyard.api.sts.sessions.mint_role_session`, which ECS task
roles reuse; the authenticator resolves their ``ASIA…`` keys with
``IamRepository.get_session``.
"""

from __future__ import annotations

from dockyard.api.context import Handler
from dockyard.api.sts import operations

OPERATIONS: dict[str, Handler] = {
    "GetCallerIdentity": operations.get_caller_identity,
    "AssumeRole": operations.assume_role,
}

__all__ = ["OPERATIONS"]
