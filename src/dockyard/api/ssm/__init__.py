"""SSM Parameter Store (``AmazonSSM``, JSON 1.1).

Parameters and their versions live in the store (``store/repositories/parameters.py``);
SecureString values are sealed there with the envelope cipher (``infra/envelope.py``). Naming,
tiers, selectors, the version window, labels and filters are pure (``domain/parameters.py``,
``domain/parameter_versions.py``, ``domain/parameter_filters.py``).
"""

from __future__ import annotations

from dockyard.api.context import Handler
from dockyard.api.ssm import labels, parameters, queries

OPERATIONS: dict[str, Handler] = {
    "PutParameter": parameters.put_parameter,
    "GetParameter": parameters.get_parameter,
    "GetParameters": parameters.get_parameters,
    "DeleteParameter": parameters.delete_parameter,
    "DeleteParameters": parameters.delete_parameters,
    "GetParametersByPath": queries.get_parameters_by_path,
    "DescribeParameters": queries.describe_parameters,
    "GetParameterHistory": queries.get_parameter_history,
    "LabelParameterVersion": labels.label_parameter_version,
    "AddTagsToResource": labels.add_tags_to_resource,
    "RemoveTagsFromResource": labels.remove_tags_from_resource,
    "ListTagsForResource": labels.list_tags_for_resource,
}

__all__ = ["OPERATIONS"]
