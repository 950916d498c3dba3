/** ARM ids of workspace assets, as the deployment body references them. */
import type { Workspace } from '../config/action-config';

export function workspaceId(w: Workspace): string {
  return `/subscriptions/${w.subscriptionId}/resourceGroups/${w.resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${w.name}`;
}

export function modelVersionId(w: Workspace, name: string, version: string): string {
  return `${workspaceId(w)}/models/${name}/versions/${version}`;
}

export function environmentVersionId(w: Workspace, name: string, version: string): string {
  return `${workspaceId(w)}/environments/${name}/versions/${version}`;
}

export function datastoreUri(w: Workspace, datastore: string, path: string): string {
  return `azureml://subscriptions/${w.subscriptionId}/resourcegroups/${w.resourceGroup}/workspaces/${w.name}/datastores/${datastore}/paths/${path}`;
}
