/** Expands 'smoke-test-images' (one path or glob per line) into sorted, de-duplicated image files. */
import * as fs from 'fs';
import * as path from 'path';
import picomatch from 'picomatch';
import { UserInputError } from '../errors';
import { checkImageFile } from '../smoke-test/run-smoke-test';

const IMAGE = /\.(png|jpe?g)$/i;

export function expandImagePatterns(raw: string, baseDir: string): string[] {
  const found = new Set<string>();
  for (const pattern of raw.split('\n').map((s) => s.trim()).filter(Boolean)) {
    const matches = picomatch.scan(pattern).isGlob ? globFiles(pattern, baseDir) : [path.resolve(baseDir, pattern)];
    const images = matches.filter((f) => fs.existsSync(f) && fs.statSync(f).isFile());
    if (images.length === 0) {
      throw new UserInputError(`Input 'smoke-test-images': '${pattern}' matches no file (relative to ${baseDir}).`, { input: 'smoke-test-images' });
    }
    for (const f of images) {
      if (!IMAGE.test(f)) {
        throw new UserInputError(`Input 'smoke-test-images': '${path.relative(baseDir, f)}' is not a .png, .jpg or .jpeg file.`, { input: 'smoke-test-images' });
      }
      found.add(f);
    }
  }
  return [...found].sort();
}

/**
 * Reads one smoke-test image's header and end (see checkImageFile), so a file the smoke test could not
 * decode fails while the plan is made, not after a deployment exists.
 */
export function checkSmokeTestImage(file: string, baseDir: string): void {
  const shown = path.relative(baseDir, file) || file;
  try {
    checkImageFile(fs.readFileSync(file), shown);
  } catch (e) {
    if (!(e instanceof UserInputError)) throw e;
    throw new UserInputError(`Input 'smoke-test-images': ${e.message}`, { input: 'smoke-test-images', file: shown });
  }
}

/**
 * Files under the workspace matching `pattern` (picomatch syntax: *, **, ?, [..], {a,b}). The walk
 * starts at the pattern's literal base, which must lie inside the workspace: '/**' or '../**' would
 * otherwise read the whole file system. Symbolic links to folders are not followed.
 */
function globFiles(pattern: string, baseDir: string): string[] {
  const workspace = path.resolve(baseDir);
  const absolute = path.resolve(workspace, pattern).split(path.sep).join('/');
  const { base } = picomatch.scan(absolute);
  const root = path.resolve(base || '/');
  if (root !== workspace && !root.startsWith(workspace + path.sep)) {
    throw new UserInputError(
      `Input 'smoke-test-images': the pattern '${pattern}' starts outside the workspace (${workspace}); give a path or pattern inside it, e.g. 'images/**/*.jpg'.`,
      { input: 'smoke-test-images' },
    );
  }
  const matches = picomatch(absolute, { dot: false });
  const out: string[] = [];
  const walk = (dir: string): void => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (matches(p.split(path.sep).join('/'))) out.push(p);
    }
  };
  walk(root);
  return out;
}
