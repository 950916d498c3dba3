// The api-versions the test bed's ARM emulators accept: its own list, kept apart from the action's
// (src/azure/api-versions.ts) on purpose, so that the test bed referees the action's choice instead
// of sharing it. The one place in testbed/ that names them; each matches a vendored spec in
// ../shared/reference.

/** Microsoft.MachineLearningServices (machinelearningservices/stable/2022-10-01). */
export const ML_API_VERSION = '2022-10-01';
/** Microsoft.ContainerRegistry registries and imports (containerregistry.json). */
export const REGISTRY_API_VERSION = '2023-07-01';
/** ACR Tasks (containerregistry_build.json). */
export const ACR_TASKS_API_VERSION = '2019-06-01-preview';
