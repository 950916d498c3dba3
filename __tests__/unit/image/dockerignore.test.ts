import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DOCKERFILE_OUTSIDE_CONTEXT, listContext, writeContextArchive } from '../../../src/image/build-context-archive';
import { isIgnored, parseDockerignore } from '../../../src/image/dockerignore';

const ignored = (rules: string, file: string) => isIgnored(file, parseDockerignore(rules));

describe('.dockerignore as Docker reads it', () => {
  it('follows the examples of Docker\'s documentation', () => {
    expect(ignored('*/temp*', 'somedir/temporary.txt')).toBe(true);
    expect(ignored('*/temp*', 'somedir/temp')).toBe(true);
    expect(ignored('*/temp*', 'temp')).toBe(false);
    expect(ignored('*/*/temp*', 'somedir/subdir/temporary.txt')).toBe(true);
    expect(ignored('temp?', 'tempa')).toBe(true);
    expect(ignored('temp?', 'temp/a')).toBe(false);
  });

  it('matches a bare name only at the root, unlike .gitignore', () => {
    expect(ignored('node_modules', 'node_modules/x/index.js')).toBe(true);
    expect(ignored('node_modules', 'app/node_modules/x/index.js')).toBe(false);
    expect(ignored('**/node_modules', 'app/node_modules/x/index.js')).toBe(true);
  });

  it("spans directories with '**' and stops '*' and '?' at '/'", () => {
    expect(ignored('**/*.go', 'a/b/c.go')).toBe(true);
    expect(ignored('**/*.go', 'c.go')).toBe(true);
    expect(ignored('*.go', 'a/c.go')).toBe(false);
    expect(ignored('a?c', 'a/c')).toBe(false);
    expect(ignored('data/**', 'data/x/y.bin')).toBe(true);
  });

  it("lets the last matching line win, so '!' brings a file back", () => {
    expect(ignored('*.md\n!README.md', 'README.md')).toBe(false);
    expect(ignored('*.md\n!README.md', 'CHANGES.md')).toBe(true);
    expect(ignored('*.md\n!README*.md\nREADME-secret.md', 'README-secret.md')).toBe(true);
    expect(ignored('*.md\n!README*.md\nREADME-secret.md', 'README-public.md')).toBe(false);
  });

  it('skips comments and blank lines and cleans each path (leading slash, ./, ..)', () => {
    expect(parseDockerignore('# a comment\n\n  /build/  \n./dist\nx/../secrets\n!  keep.txt\r\n').map((p) => [p.text, p.exclusion])).toEqual([
      ['build', false],
      ['dist', false],
      ['secrets', false],
      ['keep.txt', true],
    ]);
    expect(ignored('# *.txt', 'a.txt')).toBe(false);
  });

  it('excludes everything under a matching directory', () => {
    expect(ignored('build', 'build/x/y/z.o')).toBe(true);
    expect(ignored('b[a-c]ild', 'build/z.o')).toBe(false);
    expect(ignored('b[t-v]ild', 'build/z.o')).toBe(true);
  });
});

describe('the build context archive', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctx-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (rel: string, text: string, mode = 0o644) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text, { mode });
  };

  it('leaves out what .dockerignore and the default VCS list exclude, and keeps the Dockerfile', async () => {
    write('ctx/Dockerfile', 'FROM scratch\n');
    write('ctx/.dockerignore', 'Dockerfile\nsecrets\n*.log\n!keep.log\n');
    write('ctx/app/run.sh', '#!/bin/sh\n', 0o755);
    write('ctx/secrets/key.pem', 'KEY');
    write('ctx/debug.log', 'x');
    write('ctx/keep.log', 'y');
    write('ctx/.git/HEAD', 'ref');
    write(`ctx/${'deep/'.repeat(25)}file.txt`, 'long');
    const { entries, excluded, dockerfilePath } = await listContext(path.join(dir, 'ctx'), path.join(dir, 'ctx/Dockerfile'));
    expect(dockerfilePath).toBe('Dockerfile');
    expect(excluded).toEqual(expect.arrayContaining(['.git', 'secrets', 'debug.log']));
    const out = path.join(dir, 'ctx.tar.gz');
    await writeContextArchive(entries, out);
    const listing = execFileSync('tar', ['-tvzf', out], { encoding: 'utf8' });
    const names = execFileSync('tar', ['-tzf', out], { encoding: 'utf8' }).trim().split('\n').filter((n) => !n.endsWith('/'));
    expect(names.sort()).toEqual(['.dockerignore', 'Dockerfile', `${'deep/'.repeat(25)}file.txt`, 'app/run.sh', 'keep.log'].sort());
    expect(listing).toMatch(/-rwxr-xr-x .* app\/run\.sh/);
    fs.mkdirSync(path.join(dir, 'x'));
    execFileSync('tar', ['-xzf', out, '-C', path.join(dir, 'x')]);
    expect(fs.readFileSync(path.join(dir, 'x', 'deep/'.repeat(25), 'file.txt'), 'utf8')).toBe('long');
  });

  it('adds a Dockerfile from outside the context under its own name', async () => {
    write('ctx/a.txt', 'a');
    write('elsewhere/Dockerfile', 'FROM scratch\nCOPY a.txt /\n');
    const { entries, dockerfilePath } = await listContext(path.join(dir, 'ctx'), path.join(dir, 'elsewhere/Dockerfile'));
    expect(dockerfilePath).toBe(DOCKERFILE_OUTSIDE_CONTEXT);
    expect(entries.map((e) => e.name)).toEqual(['a.txt', DOCKERFILE_OUTSIDE_CONTEXT]);
  });
});
