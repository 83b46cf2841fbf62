"""ECS account settings (PutAccountSetting, PutAccountSettingDefault, ListAccountSettings).

Resolution order for the *effective* value of a setting for a principal:
the principal's own setting → the account default (set with PutAccountSettingDefault) →
AWS's built-in default (:data:`AWS_DEFAULTS`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dockyard.domain.errors import InvalidParameterException

_ON_OFF = frozenset({"enabled", "disabled"})

ALLOWED_VALUES: dict[str, frozenset[str]] = {
    "serviceLongArnFormat": _ON_OFF,
    "taskLongArnFormat": _ON_OFF,
    "containerInstanceLongArnFormat": _ON_OFF,
    "awsvpcTrunking": _ON_OFF,
    "containerInsights": frozenset({"enabled", "disabled", "enhanced"}),
    "fargateFIPSMode": _ON_OFF,
    "tagResourceAuthorization": frozenset({"on", "off"}),
    "fargateTaskRetirementWaitPeriod": frozenset({"0", "7", "14"}),
    "guardDutyActivate": frozenset({"on", "off"}),
    "defaultLogDriverMode": frozenset({"blocking", "non-blocking"}),
    "fargateEventWindows": _ON_OFF,
}
"""Every setting name ECS knows, with the values it accepts."""

AWS_DEFAULTS: dict[str, str] = {
    "serviceLongArnFormat": "enabled",
    "taskLongArnFormat": "enabled",
    "containerInstanceLongArnFormat": "enabled",
    "awsvpcTrunking": "disabled",
    "containerInsights": "disabled",
    "fargateFIPSMode": "disabled",
    "tagResourceAuthorization": "on",
    "fargateTaskRetirementWaitPeriod": "7",
    "guardDutyActivate": "off",
    "defaultLogDriverMode": "non-blocking",
    "fargateEventWindows": "disabled",
}
"""What a fresh AWS account reports (long ARNs on since 2021; non-blocking logs since 2025)."""

ACCOUNT_DEFAULT_PRINCIPAL = ""
"""Principal key under which PutAccountSettingDefault stores the account-wide default."""


@dataclass(frozen=True, slots=True)
class AccountSetting:
    """One stored or effective setting. ``type`` is ``user`` or ``aws_managed``."""

    name: str
    value: str
    principal_arn: str
    type: str = "user"


def validate_setting(name: str, value: str) -> None:
    """Raise InvalidParameterException for an unknown value of a known setting."""
    allowed = ALLOWED_VALUES.get(name)
    if allowed is None:
        raise InvalidParameterException(f"Unknown account setting name: {name}.")
    if value not in allowed:
        choices = ", ".join(sorted(allowed))
        raise InvalidParameterException(
            f"The value '{value}' is not valid for the account setting {name}. "
            f"Valid values are: {choices}."
        )


def effective_settings(
    stored: Iterable[AccountSetting], *, principal_arn: str, root_arn: str
) -> list[AccountSetting]:
    """The effective value of every known setting for ``principal_arn``.

    Pure: ``stored`` holds both principal settings and account defaults (principal
    :data:`ACCOUNT_DEFAULT_PRINCIPAL`). Settings come out sorted by name.
    """
    own: dict[str, AccountSetting] = {}
    defaults: dict[str, AccountSetting] = {}
    for setting in stored:
        if setting.principal_arn == principal_arn:
            own[setting.name] = setting
        elif setting.principal_arn == ACCOUNT_DEFAULT_PRINCIPAL:
            defaults[setting.name] = setting
    result = []
    for name in sorted(ALLOWED_VALUES):
        if name in own:
            result.append(own[name])
        elif name in defaults:
            result.append(AccountSetting(name, defaults[name].value, root_arn))
        else:
            result.append(AccountSetting(name, AWS_DEFAULTS[name], root_arn, "aws_managed"))
    return result
