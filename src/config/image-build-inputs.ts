/** The inputs that say where the Triton image is built, and with which credentials the base is imported. */
import { UserInputError } from '../errors';

const MODES = ['auto', 'registry', 'acr-task', 'docker'] as const;

/**
 * `auto` builds in the registry when the Dockerfile is the rendered template (it adds no files, so
 * a new config and manifest over the base's layers is the whole build), and a user Dockerfile with
 * ACR Tasks (falling back to docker on the runner when the registry cannot run tasks).
 */
export function imageBuildMode(value: string, hasUserDockerfile: boolean): 'registry' | 'acr-task' | 'docker' {
  const mode = (value.trim() || 'auto') as (typeof MODES)[number];
  if (!MODES.includes(mode)) {
    throw new UserInputError(`Input 'image-build' is '${value}'; expected one of ${MODES.join(', ')}.`, { input: 'image-build' });
  }
  if (mode === 'registry' && hasUserDockerfile) {
    throw new UserInputError(
      `Input 'image-build' is 'registry', which builds only the rendered Dockerfile (no files added), but input 'dockerfile' is set; use 'acr-task', 'docker' or 'auto' for your own Dockerfile.`,
      { input: 'image-build' },
    );
  }
  if (mode === 'auto') return hasUserDockerfile ? 'acr-task' : 'registry';
  return mode;
}

/** NGC's registry takes the literal user name '$oauthtoken' with an API key as the password. */
export function baseImageCredentials(baseImage: string, username: string, password: string): { username: string; password: string } | undefined {
  if (!username && !password) return undefined;
  if (!password) {
    throw new UserInputError(`Input 'base-image-username' is set but 'base-image-password' is empty: give the password (or API key) for the base image's registry.`, { input: 'base-image-password' });
  }
  if (username) return { username, password };
  if (/^nvcr\.io\//i.test(baseImage.trim())) return { username: '$oauthtoken', password };
  throw new UserInputError(`Input 'base-image-password' is set but 'base-image-username' is empty: give the user name for the base image's registry.`, { input: 'base-image-username' });
}
