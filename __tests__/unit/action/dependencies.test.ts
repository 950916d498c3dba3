/** Every dependency in package.json earns its place: runtime ones are imported by src/, dev ones are used by a tool, test or the test bed. */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../../..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string>; scripts: Record<string, string> };

function filesUnder(dir: string, exts: RegExp): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : filesUnder(p, exts);
    return exts.test(e.name) ? [p] : [];
  });
}

/** Module names imported or required by these files ('@scope/name' or 'name'). */
function importedPackages(files: string[]): Set<string> {
  const names = new Set<string>();
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\(\s*|require(?:\.resolve)?\(\s*|import\s+)['"]([^'".][^'"]*)['"]/g)) {
      const parts = m[1].split('/');
      names.add(m[1].startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
    }
  }
  return names;
}

describe('package.json', () => {
  it('has no runtime dependency that src/ does not import', () => {
    const used = importedPackages(filesUnder(path.join(ROOT, 'src'), /\.ts$/));
    expect(Object.keys(pkg.dependencies).filter((d) => !used.has(d))).toEqual([]);
  });

  it('has no dev dependency that no tool, test, script or test bed file uses', () => {
    const code = importedPackages(['testbed', '__tests__', 'scripts', 'bench'].flatMap((d) => filesUnder(path.join(ROOT, d), /\.(ts|js|mjs)$/)));
    const configs = ['jest.config.js', 'eslint.config.mjs', 'tsconfig.json', 'tsconfig.build.json', ...filesUnder(path.join(ROOT, 'scripts'), /\.sh$/).map((f) => path.relative(ROOT, f))]
      .filter((f) => fs.existsSync(path.join(ROOT, f)))
      .map((f) => fs.readFileSync(path.join(ROOT, f), 'utf8'))
      .join('\n');
    const scripts = Object.values(pkg.scripts).join('\n');
    // Binaries the scripts call, by package: a package is used when its binary is.
    const bins: Record<string, string> = { typescript: 'tsc', '@vercel/ncc': 'ncc', jest: 'jest', eslint: 'eslint', tsx: 'tsx' };
    const unused = Object.keys(pkg.devDependencies).filter((d) => {
      if (code.has(d) || configs.includes(d) || scripts.includes(d)) return false;
      if (bins[d] && new RegExp(`\\b${bins[d]}\\b`).test(scripts + configs)) return false;
      // @types/x is used when x is (or Node/jest globals are).
      const typed = /^@types\/(.+)$/.exec(d)?.[1];
      if (typed && (typed === 'node' || typed === 'jest' || code.has(typed) || importedPackages(filesUnder(path.join(ROOT, 'src'), /\.ts$/)).has(typed))) return false;
      return true;
    });
    expect(unused).toEqual([]);
  });
});
