/**
 * Deployment names derive from content: the same model content, image and settings give the same
 * name, so a re-run finds the deployment it made and has nothing to do. Azure's rule: 3-32 letters,
 * digits and hyphens, starting with a letter.
 */
import { createHash } from 'crypto';
import type { DeploymentSettings, ModelType } from '../config/action-config';

export function deploymentNameFor(parts: { modelContentHash: string; image?: string; settings: unknown }): string {
  const h = createHash('sha256').update(JSON.stringify([parts.modelContentHash, parts.image ?? '', parts.settings])).digest('hex');
  return `triton-${h.slice(0, 12)}`;
}

/** The tag that carries a deployment's settings fingerprint, so a named deployment notices changed settings. */
export const SETTINGS_TAG = 'aml-triton-deploy-settings';

/** A short hash of everything the deployment is asked to be (the name excluded). */
export function settingsFingerprint(settings: DeploymentSettings, modelType: ModelType): string {
  return createHash('sha256').update(JSON.stringify({ ...settings, name: undefined, modelType })).digest('hex').slice(0, 16);
}
