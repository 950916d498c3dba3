/**
 * Registers the areas other people build (Azure ML, Custom Vision, GitHub's results service) when
 * their register.ts exists, so the test bed starts whether or not they have landed yet.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { TestbedContext } from './context';
import type { Router } from './server/router';

type RegisterFunction = (router: Router, ctx: TestbedContext) => Promise<void>;

const AREAS: { folder: string; exportName: string }[] = [
  { folder: 'machine-learning', exportName: 'registerMachineLearning' },
  { folder: 'custom-vision', exportName: 'registerCustomVision' },
  { folder: 'github-results', exportName: 'registerGitHubResults' },
  { folder: 'github-api', exportName: 'registerGitHubApi' },
];

function registerFile(folder: string): string | undefined {
  for (const ext of ['.ts', '.js']) {
    const file = path.join(__dirname, folder, `register${ext}`);
    if (fs.existsSync(file)) return file;
  }
  return undefined;
}

export async function registerAreas(router: Router, ctx: TestbedContext, log: (message: string) => void): Promise<string[]> {
  const registered: string[] = [];
  for (const area of AREAS) {
    const file = registerFile(area.folder);
    if (!file) {
      log(`${area.folder}: no register file yet, skipped`);
      continue;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const register = (require(file) as Record<string, RegisterFunction | undefined>)[area.exportName];
    if (typeof register !== 'function') throw new Error(`${file} does not export ${area.exportName}(router, ctx)`);
    await register(router, ctx);
    registered.push(area.folder);
  }
  return registered;
}
