/**
 * Deployment names derive from content: the same model content, image and settings give the same
 * name, so a re-run finds the deployment it made and has nothing to do. Azure's rule: 3-32 letters,
 * digits and hyphens, starting with a letter.
 */
import { createHash } from 'crypto';

export function deploymentNameFor(parts: { modelContentHash: string; image?: string; settings: unknown }): string {
  const h = createHash('sha256').update(JSON.stringify([parts.modelContentHash, parts.image ?? '', parts.settings])).digest('hex');
  return `triton-${h.slice(0, 12)}`;
}
