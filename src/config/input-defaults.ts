/**
 * The action's inputs and their defaults, mirrored from action.yml (a test keeps the two equal).
 * Needed because a YAML file's value must win over an input left at its default, and the runner
 * hands us defaults and explicit values alike.
 */
export const INPUT_DEFAULTS = {
  'model-source': 'triton-repository',
  'model-repository': 'model_repository',
  'model-name': '',
  'model-type': 'custom_model',
  'custom-vision-endpoint': '',
  'custom-vision-training-key': '',
  'custom-vision-project-name': '',
  'custom-vision-project-id': '',
  'custom-vision-iteration-id': '',
  'custom-vision-domain': 'General (compact) [S1]',
  'custom-vision-dataset': '',
  'custom-vision-dataset-format': 'auto',
  'custom-vision-force-train': 'false',
  'custom-vision-prediction-resource-id': '',
  'custom-vision-publish-name': '',
  'subscription-id': '',
  'resource-group': '',
  workspace: '',
  'auth-type': 'auto',
  'client-id': '',
  'tenant-id': '',
  'client-secret': '',
  'oidc-audience': 'api://AzureADTokenExchange',
  'azure-authority-host': 'https://login.microsoftonline.com',
  'azure-resource-manager-endpoint': 'https://management.azure.com',
  'azure-resource-manager-audience': '',
  'storage-blob-endpoint': '',
  'storage-audience': 'https://storage.azure.com/',
  'container-registry': '',
  'image-repository': '',
  'triton-base-image': 'nvcr.io/nvidia/tritonserver:25.04-py3',
  dockerfile: '',
  'docker-context': '',
  'endpoint-name': '',
  'endpoint-file': '',
  'deployment-file': '',
  'deployment-name': '',
  'endpoint-auth-mode': 'key',
  'instance-type': 'Standard_NC4as_T4_v3',
  'instance-count': '1',
  'model-mount-path': '/models',
  'traffic-steps': '100',
  'traffic-step-wait': '0',
  'on-failure': 'delete',
  'previous-deployments': 'keep-last',
  'timeout-minutes': '45',
  'dry-run': 'false',
  'smoke-test-images': '',
  'model-family': 'auto',
  'labels-file': '',
  'clustering-config': '',
  'generic-tensors': '',
  'min-detections': '1',
  'score-threshold': '0.5',
  'inference-protocol': 'binary',
  'output-dir': '',
} as const;

export type InputName = keyof typeof INPUT_DEFAULTS;
export type RawInputs = Record<InputName, string>;

/** Inputs that hold secrets: masked before anything is logged. */
export const SECRET_INPUTS: readonly InputName[] = ['client-secret', 'custom-vision-training-key'];
