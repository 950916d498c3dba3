import type { OnlineEndpoint } from '@azure/arm-machinelearning';
import type { AzureClients } from '../../../src/azure/clients';
import { TRAFFIC_TIMING, TrafficChangedElsewhere, sameShares, setTraffic, trafficUpdateBody, waitForIdleEndpoint, withoutZeroShares } from '../../../src/deploy/endpoint-traffic';
import { versionAfterConflict } from '../../../src/deploy/model-version';

const uai = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/scoring';
const read: OnlineEndpoint = {
  location: 'westeurope',
  kind: 'Managed',
  tags: { team: 'vision' },
  identity: { type: 'SystemAssigned,UserAssigned', userAssignedIdentities: { [uai]: {} } },
  sku: { name: 'Default' },
  properties: {
    authMode: 'Key',
    description: 'made by the platform team',
    properties: { owner: 'ml-platform' },
    publicNetworkAccess: 'Disabled',
    provisioningState: 'Succeeded',
    scoringUri: 'https://x/score',
    traffic: { blue: 100 },
  },
};

describe('trafficUpdateBody', () => {
  it("carries everything the endpoint has and only the new traffic's non-zero entries", () => {
    const body = trafficUpdateBody(read, { blue: 0, green: 100 });
    expect(body).toMatchObject({ location: 'westeurope', kind: 'Managed', tags: { team: 'vision' }, identity: read.identity, sku: { name: 'Default' } });
    expect(body.properties).toEqual({
      authMode: 'Key',
      description: 'made by the platform team',
      properties: { owner: 'ml-platform' },
      publicNetworkAccess: 'Disabled',
      compute: undefined,
      traffic: { green: 100 },
    });
  });
});

describe('traffic maps', () => {
  it.each([
    [{ a: 0, b: 100 }, { b: 100 }],
    [{ a: 50, b: 50 }, { a: 50, b: 50 }],
    [{}, {}],
  ])('withoutZeroShares(%j) is %j', (input, expected) => {
    expect(withoutZeroShares(input)).toEqual(expected);
  });

  it.each([
    [{ a: 0, b: 100 }, { B: 100 }, true],
    [{ a: 50, b: 50 }, { b: 100 }, false],
    [{}, { a: 0 }, true],
  ])('sameShares(%j, %j) is %s', (a, b, expected) => {
    expect(sameShares(a, b)).toBe(expected);
  });
});

describe('versionAfterConflict', () => {
  it.each([
    ['4', '4', '5'], // the container has not moved yet: the next number
    ['4', '7', '7'], // others registered several: the container's nextVersion
    ['4', undefined, '5'],
  ])('after %s was taken, with nextVersion %s, tries %s', (tried, next, expected) => {
    expect(versionAfterConflict(tried, next)).toBe(expected);
  });
});

describe('waitForIdleEndpoint', () => {
  /** An endpoint another client holds in `states` order, one state per read. */
  const clientsReading = (states: string[]) => {
    let reads = 0;
    const get = async () => ({ ...read, properties: { ...read.properties, provisioningState: states[Math.min(reads++, states.length - 1)] } });
    return { clients: { workspace: { resourceGroup: 'rg', name: 'ws' }, ml: { onlineEndpoints: { get } } } as unknown as AzureClients, reads: () => reads };
  };
  const timing = { ...TRAFFIC_TIMING, busyPollMs: 5, heartbeatMs: 0 };

  it('reads until the endpoint is no longer Creating or Updating, saying why it waits', async () => {
    const { clients, reads } = clientsReading(['Creating', 'Updating', 'Updating', 'Succeeded']);
    const lines: string[] = [];
    const log = { info: (l: string) => lines.push(l), warning: () => undefined, debug: () => undefined };
    const state = await waitForIdleEndpoint(clients, 'keeper', new AbortController().signal, log, timing);
    expect(state.provisioningState).toBe('Succeeded');
    expect(reads()).toBe(4);
    expect(lines[0]).toMatch(/^Endpoint keeper is Creating \(another operation on it/);
    expect(lines.some((l) => /still Updating/.test(l))).toBe(true);
  });

  it('stops waiting when the run is cancelled or times out', async () => {
    const { clients } = clientsReading(['Updating']);
    const abort = new AbortController();
    const log = { info: () => abort.abort(new Error('timed out after 45 minutes (timeout-minutes)')), warning: () => undefined, debug: () => undefined };
    await expect(waitForIdleEndpoint(clients, 'keeper', abort.signal, log, { ...timing, busyPollMs: 60_000 })).rejects.toThrow(/timed out after 45 minutes/);
  });
});

describe('setTraffic with the traffic this run expects', () => {
  it('writes nothing and names who took the traffic when the endpoint reads another split', async () => {
    let puts = 0;
    const get = async () => ({ ...read, properties: { ...read.properties, traffic: { green: 100 } } });
    const beginCreateOrUpdate = async () => {
      puts++;
      throw new Error('must not be called');
    };
    const clients = { workspace: { resourceGroup: 'rg', name: 'ws' }, ml: { onlineEndpoints: { get, beginCreateOrUpdate } } } as unknown as AzureClients;
    const log = { info: () => undefined, warning: () => undefined, debug: () => undefined };
    const err = await setTraffic(clients, 'keeper', { blue: 0, candidate: 100 }, new AbortController().signal, log, TRAFFIC_TIMING, { blue: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrafficChangedElsewhere);
    expect((err as TrafficChangedElsewhere).takers).toEqual(['green']);
    expect((err as Error).message).toMatch(/this run expected blue 100% but the endpoint reads green 100%; 'green' took the traffic/);
    expect(puts).toBe(0);
  });
});
