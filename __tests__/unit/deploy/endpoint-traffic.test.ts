import type { OnlineEndpoint } from '@azure/arm-machinelearning';
import { sameShares, trafficUpdateBody, withoutZeroShares } from '../../../src/deploy/endpoint-traffic';
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
