import { parseRegistryId, parseRegistryInput, registryIdOf } from '../../../src/azure/registry-resource-id';
import { UserInputError } from '../../../src/errors';

const sub = '0f4b5c8e-1d2a-4b3c-9e8f-7a6b5c4d3e2f';

describe('container registry ids', () => {
  it.each([
    [`/subscriptions/${sub}/resourceGroups/rg-shared/providers/Microsoft.ContainerRegistry/registries/crshared`, { subscriptionId: sub, resourceGroup: 'rg-shared', name: 'crshared' }],
    // ARM returns ids in whatever case they were created with; the provider segment matches case-insensitively.
    [`/subscriptions/${sub}/resourcegroups/RG-Shared/providers/microsoft.containerregistry/registries/CrShared/`, { subscriptionId: sub, resourceGroup: 'RG-Shared', name: 'CrShared' }],
  ])('parses subscription, resource group and name from %s', (id, expected) => {
    expect(parseRegistryId(id)).toEqual(expected);
  });

  it.each([
    'crshared',
    `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/crshared`,
    `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/crshared/replications/westeurope`,
  ])('refuses %s as a registry id', (id) => {
    expect(parseRegistryId(id)).toBeUndefined();
  });

  it('formats an id that parses back to the same parts', () => {
    const parts = { subscriptionId: sub, resourceGroup: 'rg-shared', name: 'crshared' };
    expect(parseRegistryId(registryIdOf(parts))).toEqual(parts);
  });
});

describe("the 'container-registry' input", () => {
  it('takes a bare name', () => {
    expect(parseRegistryInput('crdetector')).toEqual({ name: 'crdetector' });
  });

  it('takes a full ARM id and keeps where the registry lives', () => {
    const id = `/subscriptions/${sub}/resourceGroups/rg-shared/providers/Microsoft.ContainerRegistry/registries/crshared`;
    expect(parseRegistryInput(` ${id} `)).toEqual({ name: 'crshared', id: { subscriptionId: sub, resourceGroup: 'rg-shared', name: 'crshared' } });
  });

  it.each([
    ['crdetector.azurecr.io', /not a registry name; expected 5-50 letters and digits/],
    ['/subscriptions/x/resourceGroups/rg/providers/Microsoft.ContainerRegistry', /not a container registry id; expected '\/subscriptions\/<id>\/resourceGroups/],
  ])('names the input and the value when %s is neither', (value, message) => {
    let error: unknown;
    try {
      parseRegistryInput(value);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as UserInputError).where).toEqual({ input: 'container-registry' });
    expect((error as Error).message).toContain(`'${value}'`);
    expect((error as Error).message).toMatch(message);
  });
});
