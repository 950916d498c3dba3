/**
 * The build context as `az acr build` sends it: the context folder as a gzipped tar (POSIX ustar,
 * with pax 'path'/'linkpath' records for long names), leaving out what .dockerignore excludes and
 * the version-control files az acr build leaves out by default. The Dockerfile always goes in, as
 * Docker sends it even when .dockerignore names it; one outside the context goes in under
 * DOCKERFILE_OUTSIDE_CONTEXT. Spec: https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html#tag_20_92_13_01
 */
import * as fs from 'fs';
import * as path from 'path';
import { pipeline } from 'stream/promises';
import * as zlib from 'zlib';
import { isIgnored, parseDockerignore } from './dockerignore';

/** azure-cli's default ignore list for `az acr build` ("Excluding '.git' based on default ignore rules"). */
export const VCS_IGNORED = new Set(['.git', '.gitignore', '.bzr', '.bzrignore', '.hg', '.hgignore', '.svn']);
export const DOCKERFILE_OUTSIDE_CONTEXT = '.aml-triton-deploy.Dockerfile';

export interface ContextEntry {
  /** '/'-separated, relative to the context root. */
  name: string;
  /** Absolute path on the runner, or undefined for content given in `data`. */
  source?: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  size: number;
  linkTarget?: string;
}

/** What goes into the archive, sorted (a stable order gives the same tar for the same files). */
export async function listContext(contextDir: string, dockerfile: string): Promise<{ entries: ContextEntry[]; excluded: string[]; dockerfilePath: string }> {
  const root = path.resolve(contextDir);
  const ignoreFile = path.join(root, '.dockerignore');
  const patterns = fs.existsSync(ignoreFile) ? parseDockerignore(await fs.promises.readFile(ignoreFile, 'utf8')) : [];
  const reincludes = patterns.some((p) => p.exclusion);
  const dockerfileAbs = path.resolve(dockerfile);
  const relDockerfile = path.relative(root, dockerfileAbs).split(path.sep).join('/');
  const inside = !relDockerfile.startsWith('../') && !path.isAbsolute(relDockerfile);
  const entries: ContextEntry[] = [];
  const excluded: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const d of (await fs.promises.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const abs = path.join(dir, d.name);
      const name = path.relative(root, abs).split(path.sep).join('/');
      const keep = name === relDockerfile || name === '.dockerignore';
      const ignored = !keep && (VCS_IGNORED.has(d.name) || isIgnored(name, patterns));
      if (ignored) excluded.push(name);
      const stat = await fs.promises.lstat(abs);
      if (d.isDirectory()) {
        if (!ignored) entries.push({ name, type: 'directory', mode: stat.mode & 0o7777, size: 0, source: abs });
        // An ignored directory can still hold a file a '!' pattern brings back (Docker walks it then too).
        if (!ignored || (reincludes && !VCS_IGNORED.has(d.name))) await walk(abs);
      } else if (!ignored && d.isSymbolicLink()) {
        entries.push({ name, type: 'symlink', mode: 0o777, size: 0, linkTarget: await fs.promises.readlink(abs), source: abs });
      } else if (!ignored && d.isFile()) {
        entries.push({ name, type: 'file', mode: stat.mode & 0o7777, size: stat.size, source: abs });
      }
    }
  };
  await walk(root);
  let dockerfilePath = relDockerfile;
  if (!inside) {
    const stat = await fs.promises.stat(dockerfileAbs);
    entries.push({ name: DOCKERFILE_OUTSIDE_CONTEXT, type: 'file', mode: 0o644, size: stat.size, source: dockerfileAbs });
    dockerfilePath = DOCKERFILE_OUTSIDE_CONTEXT;
  }
  return { entries, excluded, dockerfilePath };
}

function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return Buffer.from(`${len}${body}`);
}

function header(name: string, size: number, mode: number, typeflag: string, linkname = ''): Buffer {
  const h = Buffer.alloc(512);
  const octal = (n: number, width: number) => n.toString(8).padStart(width - 1, '0');
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode, 8), 100, 8, 'ascii');
  h.write(octal(0, 8), 108, 8, 'ascii');
  h.write(octal(0, 8), 116, 8, 'ascii');
  h.write(octal(size, 12), 124, 12, 'ascii');
  h.write(octal(0, 12), 136, 12, 'ascii'); // mtime 0: the same files give the same archive
  h.write('        ', 148, 8, 'ascii');
  h.write(typeflag, 156, 1, 'ascii');
  h.write(linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return h;
}

const pad = (n: number): Buffer => Buffer.alloc((512 - (n % 512)) % 512);

/** The headers (and pax records) of one entry. */
function entryHeaders(e: ContextEntry): Buffer[] {
  const name = e.type === 'directory' ? `${e.name}/` : e.name;
  const out: Buffer[] = [];
  const long = Buffer.byteLength(name) > 100 || Buffer.byteLength(e.linkTarget ?? '') > 100;
  if (long) {
    const records = Buffer.concat([paxRecord('path', name), ...(e.linkTarget ? [paxRecord('linkpath', e.linkTarget)] : [])]);
    out.push(header('PaxHeader', records.length, 0o644, 'x'), records, pad(records.length));
  }
  const flag = e.type === 'directory' ? '5' : e.type === 'symlink' ? '2' : '0';
  out.push(header(long ? name.slice(0, 99) : name, e.type === 'file' ? e.size : 0, e.mode, flag, long ? '' : (e.linkTarget ?? '')));
  return out;
}

async function* tarStream(entries: readonly ContextEntry[]): AsyncGenerator<Buffer> {
  for (const e of entries) {
    yield* entryHeaders(e);
    if (e.type !== 'file' || !e.source) continue;
    let sent = 0;
    for await (const chunk of fs.createReadStream(e.source, { highWaterMark: 256 * 1024 })) {
      const b = chunk as Buffer;
      sent += b.length;
      yield b;
    }
    if (sent !== e.size) throw new Error(`${e.source} changed size while it was archived (${e.size} -> ${sent} bytes)`);
    yield pad(e.size);
  }
  yield Buffer.alloc(1024);
}

/** Writes the gzipped tar to `outFile` and returns its size. */
export async function writeContextArchive(entries: readonly ContextEntry[], outFile: string): Promise<number> {
  await pipeline(tarStream(entries), zlib.createGzip({ level: 6 }), fs.createWriteStream(outFile));
  return (await fs.promises.stat(outFile)).size;
}
