"""ECS account settings, per region and principal (principal "" = the account default)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dockyard.domain.account_settings import AccountSetting
from dockyard.store.schema import AccountSettingRow


class AccountSettingRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def list(self, region: str) -> list[AccountSetting]:
        rows = self._session.scalars(
            select(AccountSettingRow)
            .where(AccountSettingRow.region == region)
            .order_by(AccountSettingRow.name, AccountSettingRow.principal_arn)
        )
        return [AccountSetting(r.name, r.value, r.principal_arn) for r in rows]

    def put(self, region: str, setting: AccountSetting) -> None:
        row = self._session.get(AccountSettingRow, (region, setting.principal_arn, setting.name))
        if row is None:
            self._session.add(
                AccountSettingRow(
                    region=region,
                    principal_arn=setting.principal_arn,
                    name=setting.name,
                    value=setting.value,
                )
            )
        else:
            row.value = setting.value

    def delete(self, region: str, principal_arn: str, name: str) -> AccountSetting | None:
        """Remove a principal's explicit setting; the removed setting, or None."""
        row = self._session.get(AccountSettingRow, (region, principal_arn, name))
        if row is None:
            return None
        removed = AccountSetting(row.name, row.value, row.principal_arn)
        self._session.delete(row)
        return removed
