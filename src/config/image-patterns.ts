/** Expands 'smoke-test-images' (one path or glob per line) into sorted, de-duplicated image files. */
import * as fs from 'fs';
import * as path from 'path';
import { UserInputError } from '../errors';
import { checkImageFile } from '../smoke-test/run-smoke-test';

const IMAGE = /\.(png|jpe?g)$/i;

export function expandImagePatterns(raw: string, baseDir: string): string[] {
  const found = new Set<string>();
  for (const pattern of raw.split('\n').map((s) => s.trim()).filter(Boolean)) {
    const matches = /[*?]/.test(pattern) ? globFiles(pattern, baseDir) : [path.resolve(baseDir, pattern)];
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

function globFiles(pattern: string, baseDir: string): string[] {
  const abs = path.resolve(baseDir, pattern).split(path.sep).join('/');
  const firstWild = abs.search(/[*?]/);
  const root = abs.slice(0, abs.lastIndexOf('/', firstWild) + 1) || '/';
  const re = new RegExp(
    '^' +
      abs
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*\*\//g, '\u0000')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')
        .replace(/\u0000/g, '(?:.*/)?') +
      '$',
  );
  const out: string[] = [];
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = `${dir.replace(/\/$/, '')}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else if (re.test(p)) out.push(p);
    }
  };
  walk(root);
  return out;
}
