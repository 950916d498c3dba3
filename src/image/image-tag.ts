/**
 * Content tag of the Triton image: sha256 over the Dockerfile text, the base image reference and
 * every file of the build context (relative path, size, sha256). Same content -> same tag -> the
 * build and push are skipped when the registry already has it.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

export async function contextFiles(dir: string): Promise<{ path: string; sha256: string; size: number }[]> {
  const out: { path: string; sha256: string; size: number }[] = [];
  const walk = async (rel: string) => {
    for (const e of await fs.promises.readdir(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.name === '.git') continue;
      if (e.isDirectory()) await walk(r);
      else if (e.isFile()) {
        const data = await fs.promises.readFile(path.join(dir, r));
        out.push({ path: r, size: data.length, sha256: createHash('sha256').update(data).digest('hex') });
      }
    }
  };
  await walk('');
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

export function imageTag(dockerfile: string, baseImage: string, files: { path: string; sha256: string; size: number }[]): string {
  const h = createHash('sha256');
  h.update(`dockerfile\0${dockerfile}\0base\0${baseImage}\0`);
  for (const f of files) h.update(`${f.path}\0${f.size}\0${f.sha256}\n`);
  return `c-${h.digest('hex').slice(0, 20)}`;
}
