/**
 * dist/licenses.txt from what ncc actually bundled. ncc 0.38's own --license (license-webpack-plugin,
 * which writes its file per chunk under one name) left a file naming one package, `open`, from the
 * bundle's small async chunk, of the 204 packages whose files ncc bundled. This reads the
 * webpack stats ncc writes with --stats-out, finds every package a bundled module came from, and
 * writes each one's name, version, license and license text.
 *
 *   tsx scripts/bundle-licenses.ts <ncc stats json> <licenses.txt>           write
 *   tsx scripts/bundle-licenses.ts <ncc stats json> <licenses.txt> --check   list bundled packages missing from it
 */
import * as fs from 'fs';
import * as path from 'path';

interface StatsModule {
  identifier?: string;
  name?: string;
  modules?: StatsModule[];
}

export interface BundledPackage {
  name: string;
  version: string;
  dir: string;
}

const REPO_ROOT = path.resolve(__dirname, '..');
const LICENSE_FILE = /^(licen[cs]e|copying)([-.][\w.-]*)?$/i;

/** The package folders the stats' modules live in (the innermost node_modules/<name> of each path). */
export function bundledPackages(stats: { modules?: StatsModule[]; children?: { modules?: StatsModule[] }[] }, root = REPO_ROOT): BundledPackage[] {
  const dirs = new Set<string>();
  const visit = (m: StatsModule): void => {
    // identifier: "<loaders>!/abs/path/node_modules/pkg/file.js"; name: "./node_modules/pkg/file.js" (relative to root).
    const raw = (m.identifier ?? m.name ?? '').split('!').pop()!.replace(/\|.*$/, '').replace(/ \+ \d+ modules$/, '');
    const file = path.resolve(root, raw);
    const at = file.lastIndexOf(`${path.sep}node_modules${path.sep}`);
    if (at >= 0) {
      const rest = file.slice(at + '/node_modules/'.length).split(path.sep);
      const name = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
      dirs.add(file.slice(0, at + '/node_modules/'.length) + name);
    }
    for (const inner of m.modules ?? []) visit(inner);
  };
  for (const m of stats.modules ?? []) visit(m);
  for (const c of stats.children ?? []) for (const m of c.modules ?? []) visit(m);
  const packages = [...dirs].map((dir) => {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
    return { name: pkg.name ?? path.basename(dir), version: pkg.version ?? '', dir };
  });
  const seen = new Set<string>();
  return packages
    .filter((p) => !seen.has(`${p.name}@${p.version}`) && !!seen.add(`${p.name}@${p.version}`))
    .sort((a, b) => (a.name === b.name ? a.version.localeCompare(b.version) : a.name < b.name ? -1 : 1));
}

/** One entry per package: "name@version", its license field, then its license file's text (or a note). */
export function licensesText(packages: BundledPackage[]): string {
  return packages
    .map((p) => {
      const pkg = JSON.parse(fs.readFileSync(path.join(p.dir, 'package.json'), 'utf8')) as { license?: string | { type?: string } };
      const license = typeof pkg.license === 'string' ? pkg.license : (pkg.license?.type ?? 'UNKNOWN');
      const file = fs.readdirSync(p.dir).find((f) => LICENSE_FILE.test(f));
      const text = file ? fs.readFileSync(path.join(p.dir, file), 'utf8').trim() : `(no license file in the package; package.json says ${license})`;
      return `${p.name}@${p.version}\n${license}\n${text}\n`;
    })
    .join('\n');
}

/** The bundled packages that `licenses` does not name (as "name@version" or, as ncc wrote it, "name" alone on a line). */
export function missingFrom(licenses: string, packages: BundledPackage[]): string[] {
  const lines = new Set(licenses.split('\n').map((l) => l.trim()));
  return packages.filter((p) => !lines.has(`${p.name}@${p.version}`) && !lines.has(p.name)).map((p) => `${p.name}@${p.version}`);
}

function main(): void {
  const [statsFile, out] = process.argv.slice(2);
  if (!statsFile || !out) throw new Error('usage: tsx scripts/bundle-licenses.ts <ncc stats json> <licenses.txt> [--check]');
  const packages = bundledPackages(JSON.parse(fs.readFileSync(statsFile, 'utf8')));
  if (process.argv.includes('--check')) {
    const missing = missingFrom(fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '', packages);
    console.log(`${packages.length} packages bundled; ${missing.length} missing from ${out}${missing.length ? `:\n  ${missing.join('\n  ')}` : ''}`);
    if (missing.length) process.exitCode = 1;
    return;
  }
  fs.writeFileSync(out, licensesText(packages));
  console.log(`${out}: ${packages.length} bundled packages`);
}

if (require.main === module) main();
