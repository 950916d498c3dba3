import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { mapWithConcurrency, repositoryContentHash } from '../../../src/model-repository/content-hash';
import { validateModelRepository } from '../../../src/model-repository/validate-model-repository';
import { cleanupRepositories, detectnetLayout, makeRepository } from './repository-fixture';

afterEach(cleanupRepositories);

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

describe('repository content hash', () => {
  it('hashes path NUL size NUL sha256 LF per file, in byte order of the paths', async () => {
    const layout = detectnetLayout();
    const repo = await validateModelRepository(makeRepository(layout));
    const plan = layout['detectnet_tao/1/model.plan'];
    const config = layout['detectnet_tao/config.pbtxt'];
    const expected = sha256(
      `detectnet_tao/1/model.plan\0${Buffer.byteLength(plan)}\0${sha256(plan)}\n` +
        `detectnet_tao/config.pbtxt\0${Buffer.byteLength(config)}\0${sha256(config)}\n`,
    );
    expect(repo.files.map((f) => f.sha256)).toEqual([sha256(plan), sha256(config)]);
    expect(repo.contentHash).toBe(expected);
  });

  it('is the same for the same files in another folder and in any input order', async () => {
    const a = await validateModelRepository(makeRepository(detectnetLayout()));
    const b = await validateModelRepository(makeRepository(detectnetLayout()));
    expect(b.contentHash).toBe(a.contentHash);
    expect(repositoryContentHash([...a.files].reverse())).toBe(a.contentHash);
  });

  it('changes when one byte of the engine changes', async () => {
    const root = makeRepository(detectnetLayout());
    const before = await validateModelRepository(root);
    const plan = path.join(root, 'detectnet_tao', '1', 'model.plan');
    const bytes = fs.readFileSync(plan);
    bytes[3] ^= 0x01;
    fs.writeFileSync(plan, bytes);
    const after = await validateModelRepository(root);
    expect(after.contentHash).not.toBe(before.contentHash);
    expect(after.files[1]).toEqual(before.files[1]);
  });

  it('changes when a file is renamed but not when a README beside the models changes', async () => {
    const base = await validateModelRepository(makeRepository({ ...detectnetLayout(), 'README.md': 'a' }));
    const readme = await validateModelRepository(makeRepository({ ...detectnetLayout(), 'README.md': 'b' }));
    const { ['detectnet_tao/1/model.plan']: plan, ...rest } = detectnetLayout();
    const renamed = await validateModelRepository(makeRepository({ ...rest, 'detectnet_tao/2/model.plan': plan }));
    expect(readme.contentHash).toBe(base.contentHash);
    expect(renamed.contentHash).not.toBe(base.contentHash);
  });

  it('hashes an empty file list as the hash of no bytes', () => {
    expect(repositoryContentHash([])).toBe(sha256(''));
  });
});

describe('mapWithConcurrency', () => {
  it('keeps the input order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const result = await mapWithConcurrency([5, 1, 4, 2, 3, 0], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setImmediate(r));
      running--;
      return n * 10;
    });
    expect(result).toEqual([50, 10, 40, 20, 30, 0]);
    expect(peak).toBe(2);
  });
});
