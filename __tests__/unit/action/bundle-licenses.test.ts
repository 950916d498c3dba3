import * as fs from 'fs';
import * as path from 'path';
import { bundledPackages, licensesText, missingFrom } from '../../../scripts/bundle-licenses';

const ROOT = path.resolve(__dirname, '../../..');
const modules = (p: string): string => fs.realpathSync(path.join(ROOT, 'node_modules', p));
const version = (p: string): string => (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', p, 'package.json'), 'utf8')) as { version: string }).version;

// The shape ncc's --stats-out writes: loaders before the resource in `identifier`, concatenated modules nested.
const stats = {
  modules: [
    { name: './src/index.ts', identifier: `${modules('@vercel/ncc')}/dist/ncc/loaders/ts-loader.js!${ROOT}/src/index.ts` },
    { identifier: `${modules('@vercel/ncc')}/dist/ncc/loaders/relocate-loader.js!${modules('yaml')}/dist/index.js` },
    { identifier: `${modules('yaml')}/dist/compose/composer.js` },
    {
      name: './node_modules/@actions/core/lib/core.js + 2 modules',
      modules: [{ identifier: `${modules('@actions/core')}/lib/core.js` }, { identifier: `${modules('wrap-ansi')}/node_modules/ansi-styles/index.js` }],
    },
  ],
};

describe('bundle-licenses', () => {
  it('finds each package a bundled module came from, nested node_modules and scoped names included, once each', () => {
    const found = bundledPackages(stats, ROOT).map((p) => `${p.name}@${p.version}`);
    expect(found).toEqual([
      `@actions/core@${version('@actions/core')}`,
      `ansi-styles@${version('wrap-ansi/node_modules/ansi-styles')}`,
      `yaml@${version('yaml')}`,
    ]);
  });

  it("writes each package's name, license and license text, and the check finds none missing", () => {
    const packages = bundledPackages(stats, ROOT);
    const text = licensesText(packages);
    expect(text).toContain(`yaml@${version('yaml')}\nISC\n`);
    expect(text).toMatch(/@actions\/core@[\d.]+\nMIT\nThe MIT License/);
    expect(missingFrom(text, packages)).toEqual([]);
  });

  it('names the bundled packages a licenses file leaves out (ncc --license named only `open`)', () => {
    const packages = bundledPackages(stats, ROOT);
    expect(missingFrom('open\nMIT\nMIT License\n', packages)).toEqual(packages.map((p) => `${p.name}@${p.version}`));
  });
});
