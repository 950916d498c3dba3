/** The one typed, validated, immutable view of everything the action was asked to do. */
import type { RegistryResourceId } from '../azure/registry-resource-id';
import type { CustomVisionPreprocessing, FamilyId, GenericModelSettings, XyActivation } from '../smoke-test/run-smoke-test';

export type AuthType = 'oidc' | 'client-secret' | 'azure-cli';
export type ModelType = 'custom_model' | 'triton_model';

export interface AzureCloud {
  authorityHost: string;
  resourceManagerEndpoint: string;
  resourceManagerAudience: string;
  /** '{account}' stands for the storage account; undefined: derive from the datastore. */
  storageBlobEndpoint?: string;
  /** Audience of the storage token when uploading with the identity ('https://storage.azure.com/'). */
  storageAudience?: string;
}

export interface AuthSettings {
  type: AuthType;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  oidcAudience: string;
}

export interface Workspace {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

export interface TritonRepositorySource {
  kind: 'triton-repository';
  path: string;
}

export interface CustomVisionSource {
  kind: 'custom-vision';
  endpoint: string;
  trainingKey: string;
  projectName?: string;
  projectId?: string;
  iterationId?: string;
  domain: 'General (compact) [S1]' | 'General (compact)';
  datasetDir?: string;
  datasetFormat: 'auto' | 'coco' | 'voc';
  forceTrain: boolean;
  predictionResourceId?: string;
  publishName?: string;
}

export type ModelSource = TritonRepositorySource | CustomVisionSource;

export interface ImageSettings {
  registryName?: string;
  /** Set when `container-registry` is a full ARM id (a registry in any resource group or subscription). */
  registryId?: RegistryResourceId;
  repository?: string;
  tritonBaseImage: string;
  dockerfile?: string;
  dockerContext?: string;
  /** Where the image is built: in the registry (importImage + a new config and manifest) or by docker on the runner. */
  build: 'registry' | 'acr-task' | 'docker';
  /** `auto` chose acr-task: fall back to docker when the registry cannot run tasks. */
  dockerFallback?: boolean;
  /** Credentials importImage passes to a private base's registry (e.g. NGC: '$oauthtoken' + an API key). */
  baseCredentials?: { username: string; password: string };
}

export interface ProbeSettings {
  initialDelay: number;
  period: number;
  timeout: number;
  successThreshold: number;
  failureThreshold: number;
}

export interface RequestSettings {
  requestTimeoutMs: number;
  maxConcurrentRequestsPerInstance: number;
  maxQueueWaitMs: number;
}

export interface InferenceRoutes {
  liveness: { path: string; port: number };
  readiness: { path: string; port: number };
  scoring: { path: string; port: number };
}

/** How Azure scales the deployment's instances (2022-10-01 OnlineScaleSettings). */
export type ScaleSettings =
  | { scaleType: 'Default' }
  | { scaleType: 'TargetUtilization'; minInstances?: number; maxInstances?: number; pollingIntervalSeconds?: number; targetUtilizationPercentage?: number };

export interface EndpointSettings {
  name: string;
  authMode: 'key' | 'aml_token';
  description?: string;
  tags: Record<string, string>;
}

export interface DeploymentSettings {
  /** undefined: derived from content (see deploy/deployment-name.ts). */
  name?: string;
  instanceType: string;
  instanceCount: number;
  modelMountPath: string;
  requestSettings: RequestSettings;
  livenessProbe: ProbeSettings;
  readinessProbe: ProbeSettings;
  environmentVariables: Record<string, string>;
  routes: InferenceRoutes;
  /** Environment name for the image's environment version. */
  environmentName?: string;
  description?: string;
  tags: Record<string, string>;
  /** The deployment's property dictionary (properties can be added, never removed or altered). */
  properties?: Record<string, string>;
  appInsightsEnabled?: boolean;
  egressPublicNetworkAccess?: 'Enabled' | 'Disabled';
  scaleSettings?: ScaleSettings;
}

export interface RolloutSettings {
  trafficSteps: number[];
  /** Bake time after each traffic step but the last, before the endpoint is tested again (traffic-step-wait). */
  stepWaitMs: number;
  onFailure: 'delete' | 'keep';
  /** What happens to idle (0%) deployments after the shift: see src/deploy/retire-plan.ts. */
  previousDeployments: 'keep-last' | 'keep' | 'delete';
  timeoutMs: number;
  dryRun: boolean;
}

export interface SmokeTestConfig {
  images: string[];
  family: FamilyId | 'auto';
  labelsFile?: string;
  clusteringConfigFile?: string;
  generic?: GenericModelSettings;
  /** Custom Vision: 'auto' is the export's ONNX metadata. */
  customVisionPreprocessing: CustomVisionPreprocessing;
  xyActivation: XyActivation;
  minDetections: number;
  scoreThreshold: number;
  protocol: 'binary' | 'json';
  latency: LatencySettings;
}

/** The latency measurement after a passing smoke test (inputs latency-requests, latency-p95-budget). */
export interface LatencySettings {
  /** 0: no measurement. */
  requests: number;
  /** Above it, the deployment fails like a failed smoke test. */
  p95BudgetMs?: number;
  /** The whole measurement stops after this long, with the requests done so far. */
  timeLimitMs: number;
}

/** Where GitHub users look: the environment's deployments and the pull request. */
export interface GitHubSettings {
  /** undefined: no GitHub API call at all. */
  token?: string;
  /** GITHUB_API_URL (GitHub Enterprise Server, or the test bed). */
  apiUrl: string;
  repository?: { owner: string; repo: string };
  sha?: string;
  runUrl?: string;
  /** Environment of the GitHub deployment (input github-environment, default the endpoint name). */
  environment: string;
  recordDeployment: boolean;
  /** The pull request's number on pull_request events. */
  pullRequest?: number;
}

export interface RunContext {
  /** Tags stamped on every resource the action creates. */
  repository?: string;
  sha?: string;
  runUrl?: string;
  workspaceDir: string;
  outputDir: string;
}

export interface ActionConfig {
  source: ModelSource;
  modelName?: string;
  modelType: ModelType;
  workspace: Workspace;
  cloud: AzureCloud;
  auth: AuthSettings;
  image: ImageSettings;
  endpoint: EndpointSettings;
  deployment: DeploymentSettings;
  rollout: RolloutSettings;
  smokeTest: SmokeTestConfig;
  run: RunContext;
  github: GitHubSettings;
  warnings: string[];
}
