// The api-versions the action calls, each pinned to the vendored spec the test bed checks against
// (docs/adr/002-api-versions.md). The one place in src/ that names them.

/** Microsoft.MachineLearningServices: what @azure/arm-machinelearning 2.1.1 sends. */
export const ML_API_VERSION = '2022-10-01';
/** Microsoft.ContainerRegistry registries, imports (containerregistry.json). */
export const REGISTRY_API_VERSION = '2023-07-01';
/** ACR Tasks: build source upload, schedule run, runs (containerregistry_build.json). */
export const ACR_TASKS_API_VERSION = '2019-06-01-preview';
