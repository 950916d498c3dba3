import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UserInputError } from '../../../src/errors';
import { expandImagePatterns } from '../../../src/config/image-patterns';

// The module object itself: `import * as` gives a namespace whose properties cannot be spied on.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeFs: typeof fs = require('fs');

describe('expandImagePatterns', () => {
  let workspace: string;
  beforeAll(() => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'image-patterns-'));
    for (const f of ['images/a.png', 'images/deep/b.jpg', 'images/deep/c.JPEG', 'other/d.png', 'notes.txt']) {
      fs.mkdirSync(path.dirname(path.join(workspace, f)), { recursive: true });
      fs.writeFileSync(path.join(workspace, f), 'x');
    }
  });
  afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));
  afterEach(() => jest.restoreAllMocks());

  it('expands **, ? and {a,b} inside the workspace, sorted', () => {
    const found = expandImagePatterns('images/**/*.{png,jpg}\nother/?.png', workspace).map((f) => path.relative(workspace, f));
    expect(found).toEqual(['images/a.png', 'images/deep/b.jpg', 'other/d.png']);
  });

  it.each(['/**/*.png', '../**/*.jpg', `${os.tmpdir()}/*.png`])(
    "refuses '%s', which starts outside the workspace, without reading any folder outside it",
    (pattern) => {
      const readdir = jest.spyOn(nodeFs, 'readdirSync').mockImplementation(((dir: fs.PathLike) => {
        throw new Error(`read ${String(dir)}`);
      }) as unknown as typeof fs.readdirSync);
      let error: unknown;
      try {
        expandImagePatterns(pattern, workspace);
      } catch (e) {
        error = e;
      }
      expect(readdir).not.toHaveBeenCalled();
      expect(error).toBeInstanceOf(UserInputError);
      expect((error as UserInputError).message).toMatch(/^Input 'smoke-test-images': the pattern '.*' starts outside the workspace/);
    },
  );
});
