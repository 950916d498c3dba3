/**
 * ACTIONS_RUNTIME_TOKEN as a runner hands it to a job: a JWT whose `scp` claim carries the scope
 * `Actions.Results:<workflowRunBackendId>:<workflowJobRunBackendId>`. @actions/artifact decodes it
 * (without verifying) to get those two ids for every results-service call; the emulator verifies
 * our signature and that the ids in a request body are the token's.
 */
import * as crypto from 'crypto';
import type { JwtSigner } from '../entra/jwt';

export interface JobIds {
  workflowRunBackendId: string;
  workflowJobRunBackendId: string;
}

const LIFETIME_SECONDS = 6 * 3600;

export function mintRuntimeToken(signer: JwtSigner, ids: JobIds, nowSeconds = Math.floor(Date.now() / 1000)): string {
  return signer.sign({
    iss: 'https://token.actions.githubusercontent.com',
    aud: 'vso:testbed',
    nbf: nowSeconds - 5,
    exp: nowSeconds + LIFETIME_SECONDS,
    // The order and the extra scope follow a real runner token; only Actions.Results matters to the client.
    scp: `Actions.GenericRead:00000000-0000-0000-0000-000000000000 Actions.UploadArtifacts:${ids.workflowRunBackendId}:${ids.workflowJobRunBackendId} Actions.Results:${ids.workflowRunBackendId}:${ids.workflowJobRunBackendId}`,
    jti: crypto.randomUUID(),
  });
}

/** The job ids of a valid, unexpired token of ours, or undefined. */
export function jobIdsFromToken(signer: JwtSigner, authorization: string | undefined, nowSeconds = Math.floor(Date.now() / 1000)): JobIds | undefined {
  const m = /^Bearer (.+)$/i.exec(authorization ?? '');
  const claims = m ? signer.verify(m[1]) : undefined;
  if (!claims || typeof claims.exp !== 'number' || claims.exp < nowSeconds || typeof claims.scp !== 'string') return undefined;
  for (const scope of claims.scp.split(' ')) {
    const parts = scope.split(':');
    if (parts[0] === 'Actions.Results' && parts.length === 3) return { workflowRunBackendId: parts[1], workflowJobRunBackendId: parts[2] };
  }
  return undefined;
}
