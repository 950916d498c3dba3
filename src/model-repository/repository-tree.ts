// Lists what lies under a model repository root without trusting it: a symbolic link may point
// at a file inside the repository (it is read as that file), never outside it and never at a
// directory (a link to an ancestor would loop, and the upload would copy it twice).

import * as fs from 'fs';
import * as path from 'path';
import { UserInputError } from '../errors';

export interface TreeEntry {
  /** posix path relative to the root */
  path: string;
  kind: 'file' | 'dir';
  /** file size in bytes (0 for directories) */
  size: number;
  /** where to read it (the link target for a symlinked file) */
  absPath: string;
}

export interface RepositoryTree {
  /** the root, resolved through any symlinks */
  realRoot: string;
  entries: TreeEntry[];
  problems: UserInputError[];
}

/**
 * Walks `root` (given as the user wrote it; used in error messages). `descend(relDir)` decides
 * which directories to enter, so hidden folders such as .git are never read.
 */
export async function readRepositoryTree(root: string, descend: (relDir: string) => boolean): Promise<RepositoryTree> {
  const realRoot = await fs.promises.realpath(root);
  const entries: TreeEntry[] = [];
  const problems: UserInputError[] = [];
  const shown = (rel: string): string => path.join(root, ...rel.split('/'));
  const refuse = (rel: string, message: string): void => {
    problems.push(new UserInputError(`${shown(rel)}: ${message}`, { file: shown(rel) }));
  };

  async function walk(relDir: string): Promise<void> {
    const absDir = relDir ? path.join(realRoot, ...relDir.split('/')) : realRoot;
    let dirents: fs.Dirent[];
    try {
      dirents = await fs.promises.readdir(absDir, { withFileTypes: true });
    } catch (e) {
      refuse(relDir, `cannot list the folder (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
      return;
    }
    dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: string[] = [];
    await Promise.all(
      dirents.map(async (d) => {
        const rel = relDir ? `${relDir}/${d.name}` : d.name;
        const abs = path.join(absDir, d.name);
        if (d.isSymbolicLink()) {
          const entry = await resolveLink(rel, abs);
          if (entry) entries.push(entry);
        } else if (d.isDirectory()) {
          entries.push({ path: rel, kind: 'dir', size: 0, absPath: abs });
          if (descend(rel)) subdirs.push(rel);
        } else if (d.isFile()) {
          entries.push({ path: rel, kind: 'file', size: (await fs.promises.stat(abs)).size, absPath: abs });
        } else {
          refuse(rel, 'is neither a file nor a folder (socket, device or pipe); remove it from the model repository');
        }
      }),
    );
    for (const sub of subdirs.sort()) await walk(sub);
  }

  async function resolveLink(rel: string, abs: string): Promise<TreeEntry | undefined> {
    let target: string;
    try {
      target = await fs.promises.realpath(abs);
    } catch {
      refuse(rel, `is a symbolic link to '${await fs.promises.readlink(abs)}', which does not exist`);
      return undefined;
    }
    const inside = path.relative(realRoot, target);
    if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) {
      refuse(rel, `is a symbolic link to '${target}', outside the model repository; copy the file into the repository instead`);
      return undefined;
    }
    const stat = await fs.promises.stat(target);
    if (!stat.isFile()) {
      refuse(rel, 'is a symbolic link to a folder; only links to files inside the repository are followed');
      return undefined;
    }
    return { path: rel, kind: 'file', size: stat.size, absPath: target };
  }

  await walk('');
  entries.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  return { realRoot, entries, problems };
}
