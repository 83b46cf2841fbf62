"""The Docker labels the agent puts on what it creates (ecs-reference §5.8). Pure constants.

The five ``com.amazonaws.ecs.*`` labels are the real agent's, on every container;
:data:`LABEL_TASK_ID` is Dockyard's own, on task-scoped volumes (which the real agent leaves
unlabelled), so leftovers can be traced to their task after an agent restart.
"""

from __future__ import annotations

__all__ = [
    "LABEL_CLUSTER",
    "LABEL_CONTAINER_NAME",
    "LABEL_TASK_ARN",
    "LABEL_TASK_DEFINITION_FAMILY",
    "LABEL_TASK_DEFINITION_VERSION",
    "LABEL_TASK_ID",
]

LABEL_TASK_ARN = "com.amazonaws.ecs.task-arn"
LABEL_CONTAINER_NAME = "com.amazonaws.ecs.container-name"
LABEL_TASK_DEFINITION_FAMILY = "com.amazonaws.ecs.task-definition-family"
LABEL_TASK_DEFINITION_VERSION = "com.amazonaws.ecs.task-definition-version"
LABEL_CLUSTER = "com.amazonaws.ecs.cluster"
LABEL_TASK_ID = "com.dockyard.task-id"
