"""ECS (``AmazonEC2ContainerServiceV20141113``): operation name → handler."""

from __future__ import annotations

from dockyard.api.context import Handler
from dockyard.api.ecs import (
    account_settings,
    agent_reports,
    attributes,
    clusters,
    container_instances,
    services,
    tags,
    task_definitions,
    tasks,
)

OPERATIONS: dict[str, Handler] = {
    "CreateCluster": clusters.create_cluster,
    "DescribeClusters": clusters.describe_clusters,
    "ListClusters": clusters.list_clusters,
    "UpdateCluster": clusters.update_cluster,
    "UpdateClusterSettings": clusters.update_cluster_settings,
    "PutClusterCapacityProviders": clusters.put_cluster_capacity_providers,
    "DeleteCluster": clusters.delete_cluster,
    "RegisterTaskDefinition": task_definitions.register_task_definition,
    "DescribeTaskDefinition": task_definitions.describe_task_definition,
    "ListTaskDefinitions": task_definitions.list_task_definitions,
    "ListTaskDefinitionFamilies": task_definitions.list_task_definition_families,
    "DeregisterTaskDefinition": task_definitions.deregister_task_definition,
    "DeleteTaskDefinitions": task_definitions.delete_task_definitions,
    "RegisterContainerInstance": container_instances.register_container_instance,
    "DeregisterContainerInstance": container_instances.deregister_container_instance,
    "DescribeContainerInstances": container_instances.describe_container_instances,
    "ListContainerInstances": container_instances.list_container_instances,
    "UpdateContainerInstancesState": container_instances.update_container_instances_state,
    "CreateService": services.create_service,
    "UpdateService": services.update_service,
    "DeleteService": services.delete_service,
    "DescribeServices": services.describe_services,
    "ListServices": services.list_services,
    "ListServicesByNamespace": services.list_services_by_namespace,
    "RunTask": tasks.run_task,
    "StartTask": tasks.start_task,
    "StopTask": tasks.stop_task,
    "DescribeTasks": tasks.describe_tasks,
    "ListTasks": tasks.list_tasks,
    "SubmitTaskStateChange": agent_reports.submit_task_state_change,
    "SubmitContainerStateChange": agent_reports.submit_container_state_change,
    "DiscoverPollEndpoint": agent_reports.discover_poll_endpoint,
    "PutAttributes": attributes.put_attributes,
    "DeleteAttributes": attributes.delete_attributes,
    "ListAttributes": attributes.list_attributes,
    "TagResource": tags.tag_resource,
    "UntagResource": tags.untag_resource,
    "ListTagsForResource": tags.list_tags_for_resource,
    "PutAccountSetting": account_settings.put_account_setting,
    "PutAccountSettingDefault": account_settings.put_account_setting_default,
    "DeleteAccountSetting": account_settings.delete_account_setting,
    "ListAccountSettings": account_settings.list_account_settings,
}

__all__ = ["OPERATIONS"]
