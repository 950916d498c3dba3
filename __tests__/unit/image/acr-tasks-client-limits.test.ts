import type { TokenCredential } from '@azure/identity';
import type { Pipeline } from '@azure/core-rest-pipeline';
import { AcrTasksClient } from '../../../src/image/acr-tasks-client';
import { withCallSignal } from '../../../src/azure/call-limits';

const credential: TokenCredential = { getToken: async () => ({ token: 't', expiresOnTimestamp: Date.now() + 3600_000 }) };
const target = { subscriptionId: 's', resourceGroup: 'rg', name: 'cr' };

it('bounds its calls like every Azure call: the run signal and a per-try timeout', () => {
  const client = new AcrTasksClient(credential, 'https://management.azure.com', ['https://management.azure.com/.default'], target);
  const names = (client as unknown as { pipeline: Pipeline }).pipeline.getOrderedPolicies().map((p) => p.name);
  expect(names).toEqual(expect.arrayContaining(['aml-triton-deploy-call-signal', 'aml-triton-deploy-try-timeout']));
});

it('stops waiting between polls when the run is cancelled', async () => {
  const client = new AcrTasksClient(credential, 'https://management.azure.com', ['https://management.azure.com/.default'], target);
  const abort = new AbortController();
  const sleeping = withCallSignal(abort.signal, () => (client as unknown as { sleep: (ms: number) => Promise<void> }).sleep(600_000));
  abort.abort(new Error('cancelled by SIGTERM'));
  await expect(sleeping).rejects.toThrow('cancelled by SIGTERM');
});
