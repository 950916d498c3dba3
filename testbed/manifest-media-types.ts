// The image media types the test bed's registry fronts and emulators use: its own list, kept apart
// from the action's (src/image/manifest-media-types.ts) on purpose, so that the test bed referees
// the action's Accept headers instead of sharing them. The one place in testbed/ that names them.
// OCI image spec media-types.md; Docker "Image Manifest V2, Schema 2".

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_IMAGE_CONFIG = 'application/vnd.docker.container.image.v1+json';
export const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

/** Every manifest type, indexes included (what Azure ML's image pull accepts). */
export const MANIFEST_TYPES: readonly string[] = [OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST];
