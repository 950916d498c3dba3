import { chooseRegistry } from '../../../src/image/registry-location';
import { UserInputError } from '../../../src/errors';

const workspace = { subscriptionId: 'sub-ws', resourceGroup: 'rg-ml' };
const sharedId = '/subscriptions/sub-shared/resourceGroups/rg-shared/providers/Microsoft.ContainerRegistry/registries/crshared';

describe('which registry the image goes to', () => {
  it("uses the workspace's registry where its id says it lives, not in the workspace's group", () => {
    expect(chooseRegistry({ workspaceRegistryId: sharedId, workspace })).toEqual({
      registry: { subscriptionId: 'sub-shared', resourceGroup: 'rg-shared', name: 'crshared' },
    });
  });

  it("takes a bare name that is the workspace's registry as that registry, without a warning", () => {
    expect(chooseRegistry({ input: { name: 'CRSHARED' }, workspaceRegistryId: sharedId, workspace })).toEqual({
      registry: { subscriptionId: 'sub-shared', resourceGroup: 'rg-shared', name: 'crshared' },
    });
  });

  it("takes the full id of the workspace's registry without a warning", () => {
    const id = { subscriptionId: 'SUB-SHARED', resourceGroup: 'RG-SHARED', name: 'crshared' };
    expect(chooseRegistry({ input: { name: 'crshared', id }, workspaceRegistryId: sharedId, workspace }).warning).toBeUndefined();
  });

  it("looks another bare name up in the workspace's resource group and warns that the endpoint must be able to pull", () => {
    const choice = chooseRegistry({ input: { name: 'crother' }, workspaceRegistryId: sharedId, workspace });
    expect(choice.registry).toEqual({ subscriptionId: 'sub-ws', resourceGroup: 'rg-ml', name: 'crother' });
    expect(choice.warning).toContain("container-registry '/subscriptions/sub-ws/resourceGroups/rg-ml/providers/Microsoft.ContainerRegistry/registries/crother' is not the workspace's registry");
    expect(choice.warning).toContain('AcrPull');
  });

  it('uses an id in another subscription as given, with the warning', () => {
    const id = { subscriptionId: 'sub-other', resourceGroup: 'rg-other', name: 'crother' };
    const choice = chooseRegistry({ input: { name: 'crother', id }, workspaceRegistryId: sharedId, workspace });
    expect(choice.registry).toEqual(id);
    expect(choice.warning).toMatch(/identity, which must be able to pull from it/);
  });

  it("asks for 'container-registry' when the workspace has no registry", () => {
    expect(() => chooseRegistry({ workspace })).toThrow(UserInputError);
    expect(() => chooseRegistry({ workspace })).toThrow(/set input 'container-registry'/);
  });
});
