// One list per fact (issue 13 point 5): the model-family names and the api-versions live in one
// module each, and no src/ file imports itself back through a chain (type-only imports count).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const SRC = path.join(__dirname, '../../../src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

const files = sourceFiles(SRC);
const rel = (f: string) => path.relative(SRC, f).split(path.sep).join('/');
/** The code without comments, so a spec version named in a comment is not a copy. */
const code = (f: string) => fs.readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');

const FAMILY_NAMES = ['detectnet_v2', 'custom_vision_s1', 'custom_vision_compact', 'generic'];
const API_VERSIONS = /['"`][^'"`\n]*\b(2022-10-01|2023-07-01|2019-06-01-preview)\b/;

describe('one list per fact in src/', () => {
  it('names two or more model families in one statement only in family-contract.ts', () => {
    const copies = files
      .filter((f) => rel(f) !== 'smoke-test/families/family-contract.ts')
      .flatMap((f) =>
        code(f)
          .split(/[;\n]/)
          .filter((stmt) => FAMILY_NAMES.filter((n) => stmt.includes(`'${n}'`)).length >= 2)
          .map((stmt) => `${rel(f)}: ${stmt.trim()}`),
      );
    expect(copies).toEqual([]);
  });

  it('spells an api-version only in src/azure/api-versions.ts', () => {
    const copies = files.filter((f) => rel(f) !== 'azure/api-versions.ts' && API_VERSIONS.test(code(f))).map(rel);
    expect(copies).toEqual([]);
  });

  it('has one edit-distance function', () => {
    const defs = files.filter((f) => /function\s+(editDistance|levenshtein)\b/i.test(code(f))).map(rel);
    expect(defs).toEqual(['closest-name.ts']);
  });
});

/** Relative imports and re-exports of a file, resolved to files, type-only ones included. */
function importsOf(file: string): string[] {
  const out: string[] = [];
  for (const m of code(file).matchAll(/(?:import|export)\s[^;]*?\sfrom\s+'(\.[^']+)'/g)) {
    const base = path.resolve(path.dirname(file), m[1]);
    const found = [`${base}.ts`, path.join(base, 'index.ts')].find((p) => fs.existsSync(p));
    if (found) out.push(found);
  }
  return out;
}

/** Every cycle, each reported once as a -> b -> a. */
export function importCycles(all: string[]): string[] {
  const graph = new Map(all.map((f) => [f, importsOf(f)]));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const next of graph.get(f) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].map(rel).join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of all) if (!state.has(f)) visit(f);
  return cycles;
}

describe('imports among src/ files', () => {
  it('form no cycle, type-only imports included', () => {
    expect(importCycles(files)).toEqual([]);
  });

  it('would report a cycle made of type-only imports', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cycle-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.ts'), "import type { B } from './b';\nexport type A = B;\n");
      fs.writeFileSync(path.join(dir, 'b.ts'), "export type { A as B } from './a';\n");
      const found = importCycles([path.join(dir, 'a.ts'), path.join(dir, 'b.ts')]);
      expect(found).toHaveLength(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
