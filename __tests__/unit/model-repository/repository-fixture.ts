import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const FIXTURES = '/work/shared/reference/fixtures';
export const DETECTNET_CONFIG = fs.readFileSync(
  `${FIXTURES}/nvidia-azureml-tao-detectnet_v2/model_repository/detectnet_tao/config.pbtxt`,
  'utf8',
);

/** Files of a repository: relative posix path -> contents; a path ending in '/' is an empty folder. */
export type RepoLayout = Record<string, string>;

/** The DetectNet_v2 repository from the NVIDIA guide, with a dummy engine in version 1. */
export function detectnetLayout(): RepoLayout {
  return { 'detectnet_tao/config.pbtxt': DETECTNET_CONFIG, 'detectnet_tao/1/model.plan': 'dummy TensorRT engine' };
}

const made: string[] = [];

/** Writes `layout` under a fresh temporary folder (removed by cleanupRepositories) and returns it. */
export function makeRepository(layout: RepoLayout): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'model-repo-'));
  made.push(root);
  for (const [rel, contents] of Object.entries(layout)) {
    const abs = path.join(root, ...rel.split('/'));
    if (rel.endsWith('/')) {
      fs.mkdirSync(abs, { recursive: true });
    } else {
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, contents);
    }
  }
  return root;
}

export function cleanupRepositories(): void {
  for (const root of made.splice(0)) fs.rmSync(root, { recursive: true, force: true });
}
