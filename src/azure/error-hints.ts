/**
 * What to do about the Azure error codes users meet, as a table: the first row whose code matches
 * (and whose pattern matches the message, when it has one) gives the hint. Wording follows
 * Microsoft's "Troubleshoot online endpoint deployment and scoring"
 * (MicrosoftDocs/azure-ai-docs, articles/machine-learning/how-to-troubleshoot-online-endpoints.md,
 * section "Common deployment errors").
 */

/** What the caller knows that makes a hint concrete. */
export interface HintContext {
  /** The endpoint's identity, as `endpointIdentityLabel` describes it. */
  endpointIdentity?: string;
  /** The registry the image is pulled from (login server or name). */
  registry?: string;
}

interface HintRow {
  code: string;
  when?: RegExp;
  hint: (c: HintContext) => string;
}

// "Authorization error" and "Container registry authorization error": the endpoint's identity pulls
// the image; a user-assigned identity needs AcrPull on the registry, a system-assigned one gets it
// automatically only on the workspace's own registry.
const pullHint = (c: HintContext) =>
  `the endpoint's ${c.endpointIdentity ?? 'managed identity'} pulls the image: check that the image exists in ${c.registry ?? 'the registry'} ` +
  `and that this identity has the AcrPull role on ${c.registry ? `registry ${c.registry}` : 'that registry'} ` +
  `(az role assignment create --assignee <principal id> --role AcrPull --scope <registry resource id>); ` +
  'a system-assigned identity gets AcrPull automatically only on the workspace\'s own registry';

// "Role assignment quota": the endpoint's identity needs role assignments on workspace resources.
const roleAssignmentHint = () =>
  'the subscription has reached its limit of Azure role assignments, which the endpoint\'s managed identity needs: ' +
  'delete unused role assignments (Azure portal > subscription > Access control (IAM)) and re-run';

const HINTS: HintRow[] = [
  { code: 'OutOfQuota', when: /role assignment/i, hint: roleAssignmentHint },
  { code: 'RoleAssignmentLimitExceeded', hint: roleAssignmentHint },
  { code: 'OutOfQuota', hint: () => 'request GPU quota for this VM family in the region, or pick another instance-type' },
  { code: 'ImageNotFound', hint: pullHint },
  { code: 'BadArgument', when: /download user container image|pull(ing)? (the )?image|failed to pull|ImagePull/i, hint: pullHint },
  {
    code: 'ImageBuildFailure',
    hint: () =>
      "Azure ML could not build the environment's image: read the build log in the workspace's default storage (its path is in the message); " +
      "for a 'container registry authorization failure' run az ml workspace sync-keys; in a private workspace with a virtual network, " +
      'allow image builds there (image build compute); or build and push the image yourself so the deployment only pulls it',
  },
  {
    code: 'OperationCanceled',
    hint: () =>
      'another operation on this endpoint took precedence, or a similar request still held its lock: wait a minute and re-run',
  },
  {
    code: 'SecretsInjectionError',
    hint: (c) =>
      `the endpoint's ${c.endpointIdentity ?? 'managed identity'} could not read the secrets the deployment's environment variables reference: ` +
      'give it read access to those workspace connections or key vault secrets (new role assignments take a few minutes), and check that the references exist and are well formed',
  },
  {
    code: 'WorkspaceManagedNetworkNotReady',
    hint: () =>
      "the workspace's managed virtual network is not provisioned yet: provision it (az ml workspace provision-network) and re-run",
  },
  {
    code: 'Conflict',
    when: /in progress|operation|busy|being/i,
    hint: () =>
      'another operation (another pipeline, the portal, a scale-out) kept the endpoint or deployment busy through every retry: ' +
      "wait for it to end (az ml online-endpoint show shows its provisioning state) and re-run; a workflow 'concurrency' group runs one deploy per endpoint at a time",
  },
  // What the SDK's retry policy gives up on after its retries (429 honouring Retry-After, 5xx).
  {
    code: 'TooManyRequests',
    hint: () => "Azure kept throttling these requests through every retry: other automation may share the subscription's or storage account's limits; re-run later",
  },
  // Blob storage's codes for 503 and 500, after the storage SDK's own retries.
  {
    code: 'ServerBusy',
    hint: () => "the storage account kept answering 503 ServerBusy through every retry (its request or bandwidth limits): re-run later, or check the account's metrics for throttling",
  },
  {
    code: 'InternalServerError',
    hint: () => "Azure kept failing through every retry: check Azure's status page (Machine Learning in this region) and re-run; open a support case with the x-ms-request-id from the debug log if it persists",
  },
  { code: 'AuthorizationFailed', hint: () => "give the identity a role on the workspace (e.g. 'AzureML Data Scientist') and 'AcrPush' on the registry" },
  // Blob storage, when the upload uses the identity (identity-based datastore, or its secrets refused).
  { code: 'AuthorizationPermissionMismatch', hint: () => "give the identity 'Storage Blob Data Contributor' on the workspace's storage account (the upload used the identity: the datastore stores no credentials or its secrets were refused)" },
  { code: 'ResourceNotReady', hint: () => 'the container did not become ready: see the inference server logs above (liveness/readiness probes, model load errors)' },
  { code: 'BadArgument', hint: () => 'a setting was rejected: see the message' },
  { code: 'ResourceNotFound', hint: () => 'check subscription-id, resource-group and workspace' },
  { code: 'ResourceGroupNotFound', hint: () => 'check resource-group' },
  { code: 'SubscriptionNotFound', hint: () => 'check subscription-id' },
];

export function hintFor(code: string | undefined, message = '', context: HintContext = {}): string | undefined {
  if (!code) return undefined;
  const row = HINTS.find((h) => h.code.toLowerCase() === code.toLowerCase() && (!h.when || h.when.test(message)));
  return row?.hint(context);
}

/** "system-assigned identity (principal id …)" or the user-assigned identities' names and principal ids. */
export function endpointIdentityLabel(identity: { type?: string; principalId?: string; userAssignedIdentities?: Record<string, { principalId?: string } | undefined> } | undefined): string | undefined {
  if (!identity?.type) return undefined;
  const parts: string[] = [];
  if (/SystemAssigned/i.test(identity.type)) parts.push(`system-assigned identity${identity.principalId ? ` (principal id ${identity.principalId})` : ''}`);
  for (const [id, v] of Object.entries(identity.userAssignedIdentities ?? {})) {
    parts.push(`user-assigned identity ${id.split('/').pop()}${v?.principalId ? ` (principal id ${v.principalId})` : ''}`);
  }
  return parts.length ? parts.join(' and ') : undefined;
}
