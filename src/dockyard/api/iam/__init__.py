"""AWS Identity and Access Management (query protocol in, XML out): operation name → handler.

Users, groups, roles, inline and managed policies live in the store
(``store/repositories/iam.py``); access keys in ``access_keys``. Every write announces itself on
``deps.identity`` once committed, so the authenticator's key cache and the authorizer's
compiled policies drop what changed. Policy documents are validated by ``domain/policy``.
"""

from __future__ import annotations

from dockyard.api.context import Handler
from dockyard.api.iam import attachments, groups, inline, managed, roles, users

OPERATIONS: dict[str, Handler] = {
    "CreateUser": users.create_user,
    "GetUser": users.get_user,
    "ListUsers": users.list_users,
    "UpdateUser": users.update_user,
    "DeleteUser": users.delete_user,
    "TagUser": users.tag_user,
    "UntagUser": users.untag_user,
    "ListUserTags": users.list_user_tags,
    "CreateAccessKey": users.create_access_key,
    "ListAccessKeys": users.list_access_keys,
    "UpdateAccessKey": users.update_access_key,
    "DeleteAccessKey": users.delete_access_key,
    "CreateGroup": groups.create_group,
    "GetGroup": groups.get_group,
    "ListGroups": groups.list_groups,
    "DeleteGroup": groups.delete_group,
    "AddUserToGroup": groups.add_user_to_group,
    "RemoveUserFromGroup": groups.remove_user_from_group,
    "ListGroupsForUser": groups.list_groups_for_user,
    "CreateRole": roles.create_role,
    "GetRole": roles.get_role,
    "ListRoles": roles.list_roles,
    "UpdateRole": roles.update_role,
    "UpdateAssumeRolePolicy": roles.update_assume_role_policy,
    "DeleteRole": roles.delete_role,
    "TagRole": roles.tag_role,
    "UntagRole": roles.untag_role,
    "ListRoleTags": roles.list_role_tags,
    "CreatePolicy": managed.create_policy,
    "GetPolicy": managed.get_policy,
    "ListPolicies": managed.list_policies,
    "DeletePolicy": managed.delete_policy,
    "CreatePolicyVersion": managed.create_policy_version,
    "GetPolicyVersion": managed.get_policy_version,
    "ListPolicyVersions": managed.list_policy_versions,
    "DeletePolicyVersion": managed.delete_policy_version,
    "SetDefaultPolicyVersion": managed.set_default_policy_version,
    **inline.operations(),
    **attachments.operations(),
}

__all__ = ["OPERATIONS"]
