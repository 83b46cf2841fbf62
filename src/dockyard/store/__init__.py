"""The only SQLAlchemy user: schema, migrations, repositories and the unit of work.

ORM rows never leave this package: repositories take and return domain values.
"""

from dockyard.store.uow import Store, UnitOfWork

__all__ = ["Store", "UnitOfWork"]
