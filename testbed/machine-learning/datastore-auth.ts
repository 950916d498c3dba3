/**
 * How the workspace's default datastore authenticates, switchable per test through
 * POST /_testbed/ml/datastore-auth:
 * - `credentialsType: 'AccountKey'` (default): listSecrets returns Azurite's account key.
 * - `credentialsType: 'None'`: an identity-only workspace (systemDatastoresAuthMode: identity,
 *   shared keys disabled): the datastore stores no credentials and listSecrets is refused. Azurite
 *   cannot refuse SharedKey requests while it checks bearer tokens (`--oauth basic` keeps its
 *   SharedKey and SAS authenticators), so the refusal of keys lives here.
 * - `listSecrets: 'forbid'`: the caller's role lacks `.../datastores/listSecrets/action`: ARM's 403.
 */
import { Router, TestbedHttpError } from '../server/router';
import { objectOf } from './arm-responses';

export interface DatastoreAuth {
  credentialsType: 'AccountKey' | 'None';
  listSecrets: 'allow' | 'forbid';
}

export const DEFAULT_DATASTORE_AUTH: DatastoreAuth = { credentialsType: 'AccountKey', listSecrets: 'allow' };

/** The datastore's `credentials` as GET returns them (secrets are write-only; the spec requires the type). */
export function datastoreCredentials(auth: DatastoreAuth): Record<string, unknown> {
  return auth.credentialsType === 'None'
    ? { credentialsType: 'None' }
    : { credentialsType: 'AccountKey', secrets: { secretsType: 'AccountKey' } };
}

/** Throws what the service answers instead of the secrets; returns when they may be listed. */
export function refuseSecrets(auth: DatastoreAuth, ctx: { caller: { appId: string; objectId: string }; datastoreId: string; datastore: string }): void {
  if (auth.listSecrets === 'forbid') {
    // ARM's RBAC refusal, in its documented wording.
    throw new TestbedHttpError(
      403,
      'AuthorizationFailed',
      `The client '${ctx.caller.appId}' with object id '${ctx.caller.objectId}' does not have authorization to perform action 'Microsoft.MachineLearningServices/workspaces/datastores/listSecrets/action' over scope '${ctx.datastoreId}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
  }
  if (auth.credentialsType === 'None') {
    throw new TestbedHttpError(
      400,
      'UserError',
      `Datastore '${ctx.datastore}' stores no credentials (credentialsType None): there are no secrets to list. Access the storage with your own identity.`,
    );
  }
}

export function registerDatastoreAuthControl(router: Router, auth: DatastoreAuth): void {
  router.route('POST', '/_testbed/ml/datastore-auth', (req) => {
    const body = objectOf(req.json());
    const type = body.credentialsType ?? auth.credentialsType;
    const list = body.listSecrets ?? auth.listSecrets;
    if ((type !== 'AccountKey' && type !== 'None') || (list !== 'allow' && list !== 'forbid')) {
      throw new TestbedHttpError(400, 'BadRequest', "Expected { credentialsType?: 'AccountKey' | 'None', listSecrets?: 'allow' | 'forbid' }.");
    }
    auth.credentialsType = type;
    auth.listSecrets = list;
    return { status: 200, body: { ...auth } };
  });
}
