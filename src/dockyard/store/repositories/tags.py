"""Tags, keyed by resource ARN."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from dockyard.store.schema import TagRow

_TABLE = TagRow.__table__
_BY_ARNS = (
    select(_TABLE.c.resource_arn, _TABLE.c.key, _TABLE.c.value)
    .where(_TABLE.c.resource_arn.in_(bindparam("arns", expanding=True)))
    .order_by(_TABLE.c.key)
)


class TagRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, resource_arn: str) -> dict[str, str]:
        return self.get_many([resource_arn])[resource_arn]

    def get_many(self, resource_arns: Iterable[str]) -> dict[str, dict[str, str]]:
        arns = list(resource_arns)
        result: dict[str, dict[str, str]] = {arn: {} for arn in arns}
        if not arns:
            return result
        rows = self._session.connection().execute(_BY_ARNS, {"arns": arns})
        for row in rows:
            result[row.resource_arn][row.key] = row.value
        return result

    def replace(self, resource_arn: str, tags: Mapping[str, str]) -> None:
        """Make the resource's tag set exactly ``tags``."""
        self.delete_all(resource_arn)
        self._session.add_all(
            TagRow(resource_arn=resource_arn, key=k, value=v) for k, v in tags.items()
        )

    def delete_all(self, resource_arn: str) -> None:
        self._session.execute(delete(TagRow).where(TagRow.resource_arn == resource_arn))
        self._session.flush()
