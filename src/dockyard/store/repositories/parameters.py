"""SSM parameters and their versions; SecureString values sealed with the envelope cipher.

Python API::

    repo = ParameterRepository(uow.session, cipher)     # cipher = deps.secret_box.envelope()
    repo.find(region, name_or_arn)            -> Parameter | None
    repo.in_region(region, prefix=None)            -> list[Parameter]        (by name)
    repo.put_version(region, arn, name, version, dropped=(), tags=None) -> None
    repo.set_labels(parameter, changed)       -> None
    repo.set_tags(parameter, tags)            -> None
    repo.delete(region, name)                 -> bool
    repo.reveal(parameter, version)           -> str   (the plaintext of one version)
    repo.get_parameter(region, name_or_arn, selector=None) -> ParameterValue   (decrypted)

Versions read back carry SecureString values as the sealed blob in base64 (SSM's answer
without ``WithDecryption``); only :meth:`reveal` and :meth:`get_parameter` decrypt.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from dockyard.domain.parameter_versions import Reference, parse_reference
from dockyard.domain.parameter_versions import select as select_version
from dockyard.domain.parameters import Parameter, ParameterNotFound, ParameterVersion
from dockyard.infra.envelope import EnvelopeCipher
from dockyard.store.schema_secrets import ParameterRow, ParameterVersionRow

__all__ = ["ParameterRepository", "ParameterValue"]


@dataclass(frozen=True, slots=True)
class ParameterValue:
    """A resolved parameter with its plaintext value (for task start: ``secrets[].valueFrom``)."""

    name: str
    arn: str
    version: int
    type: str
    value: str


def _context(arn: str, number: int) -> bytes:
    return f"ssm:parameter\x00{arn}\x00{number}".encode()


class ParameterRepository:
    def __init__(self, session: Session, cipher: EnvelopeCipher) -> None:
        self._session = session
        self._cipher = cipher

    # --- reads ---------------------------------------------------------------------------

    def _row(self, region: str, name_or_arn: str) -> ParameterRow | None:
        column = ParameterRow.arn if name_or_arn.startswith("arn:") else ParameterRow.name
        return self._session.scalars(
            select(ParameterRow)
            .where(ParameterRow.region == region, column == name_or_arn)
            .order_by(ParameterRow.name)
            .limit(1)
        ).first()

    def find(self, region: str, name_or_arn: str) -> Parameter | None:
        row = self._row(region, name_or_arn)
        return None if row is None else self._load([row])[0]

    def in_region(self, region: str, prefix: str | None = None) -> list[Parameter]:
        query = select(ParameterRow).where(ParameterRow.region == region)
        if prefix:
            query = query.where(ParameterRow.name.startswith(prefix, autoescape=True))
        rows = list(self._session.scalars(query.order_by(ParameterRow.name)))
        return self._load(rows)

    def _load(self, rows: list[ParameterRow]) -> list[Parameter]:
        by_id: dict[int, list[ParameterVersion]] = {row.id: [] for row in rows}
        for chunk in _chunks(list(by_id), 500):
            versions = self._session.scalars(
                select(ParameterVersionRow)
                .where(ParameterVersionRow.parameter_id.in_(chunk))
                .order_by(ParameterVersionRow.number)
            )
            for v in versions:
                by_id[v.parameter_id].append(_version(v))
        return [
            Parameter(
                region=row.region,
                name=row.name,
                arn=row.arn,
                versions=tuple(by_id[row.id]),
                tags=dict(row.tags),
            )
            for row in rows
        ]

    def reveal(self, parameter: Parameter, version: ParameterVersion) -> str:
        """The plaintext of ``version`` (opened from its seal for SecureString)."""
        if not version.secure:
            return version.value
        try:
            blob = base64.b64decode(version.value, validate=True)
        except binascii.Error as exc:
            raise ValueError("stored SecureString is not a sealed value") from exc
        return self._cipher.open(blob, context=_context(parameter.arn, version.version)).decode()

    def get_parameter(
        self, region: str, name_or_arn: str, selector: str | None = None
    ) -> ParameterValue:
        """The decrypted value a reference selects: ``name_or_arn`` may carry ``:version`` or
        ``:label`` itself, or ``selector`` gives it. Raises ParameterNotFound /
        ParameterVersionNotFound like GetParameter."""
        ref: Reference = parse_reference(
            name_or_arn if selector is None else f"{name_or_arn}:{selector}"
        )
        parameter = self.find(region, ref.name_or_arn)
        if parameter is None:
            raise ParameterNotFound(f"Parameter {ref.name_or_arn} not found.")
        version = select_version(parameter, ref)
        return ParameterValue(
            name=parameter.name,
            arn=parameter.arn,
            version=version.version,
            type=version.type,
            value=self.reveal(parameter, version),
        )

    # --- writes --------------------------------------------------------------------------

    def put_version(
        self,
        region: str,
        arn: str,
        name: str,
        version: ParameterVersion,
        *,
        dropped: Iterable[int] = (),
        tags: dict[str, str] | None = None,
    ) -> None:
        """Store a new version (``version.value`` is plaintext; SecureString is sealed here),
        creating the parameter on its first version and forgetting ``dropped`` versions."""
        row = self._row(region, name)
        if row is None:
            row = ParameterRow(
                region=region, name=name, arn=arn, latest_version=0, tags=dict(tags or {})
            )
            self._session.add(row)
            self._session.flush()
        row.latest_version = version.version
        gone = list(dropped)
        if gone:
            self._session.execute(
                delete(ParameterVersionRow).where(
                    ParameterVersionRow.parameter_id == row.id,
                    ParameterVersionRow.number.in_(gone),
                )
            )
        self._session.add(self._version_row(row, version))

    def _version_row(self, row: ParameterRow, v: ParameterVersion) -> ParameterVersionRow:
        sealed = (
            self._cipher.seal(v.value.encode(), context=_context(row.arn, v.version))
            if v.secure
            else None
        )
        return ParameterVersionRow(
            parameter_id=row.id,
            number=v.version,
            type=v.type,
            value_text=None if v.secure else v.value,
            value_sealed=sealed,
            tier=v.tier,
            data_type=v.data_type,
            description=v.description,
            allowed_pattern=v.allowed_pattern,
            key_id=v.key_id,
            labels={"labels": list(v.labels)},
            modified_at=v.modified_at,
            modified_user=v.modified_user,
        )

    def set_labels(self, parameter: Parameter, changed: dict[int, tuple[str, ...]]) -> None:
        row = self._row(parameter.region, parameter.name)
        if row is None or not changed:
            return
        versions = self._session.scalars(
            select(ParameterVersionRow).where(
                ParameterVersionRow.parameter_id == row.id,
                ParameterVersionRow.number.in_(list(changed)),
            )
        )
        for v in versions:
            v.labels = {"labels": list(changed[v.number])}
        flag_modified(row, "tags")  # touch the parent: concurrent label moves conflict

    def set_tags(self, parameter: Parameter, tags: dict[str, str]) -> None:
        row = self._row(parameter.region, parameter.name)
        if row is not None:
            row.tags = dict(tags)

    def delete(self, region: str, name: str) -> bool:
        row = self._row(region, name)
        if row is None:
            return False
        self._session.execute(
            delete(ParameterVersionRow).where(ParameterVersionRow.parameter_id == row.id)
        )
        self._session.delete(row)
        return True


def _version(row: ParameterVersionRow) -> ParameterVersion:
    labels: Any = (row.labels or {}).get("labels", [])
    if row.value_sealed is not None:
        value = base64.b64encode(row.value_sealed).decode()
    else:
        value = row.value_text or ""
    return ParameterVersion(
        version=row.number,
        type=row.type,
        value=value,
        tier=row.tier,
        data_type=row.data_type,
        modified_at=row.modified_at,
        modified_user=row.modified_user,
        description=row.description,
        allowed_pattern=row.allowed_pattern,
        key_id=row.key_id,
        labels=tuple(str(x) for x in labels),
    )


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
