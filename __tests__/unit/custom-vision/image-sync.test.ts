import type { DatasetImage } from '../../../src/source/custom-vision/dataset/load-dataset';
import { hashMetadata, imagesByHash, uploadBatches } from '../../../src/source/custom-vision/image-sync';

function image(i: number, tags: string[], sizeBytes = 1000): DatasetImage {
  return {
    path: `img-${i}.png`, sha256: i.toString(16).padStart(64, '0'), sizeBytes, format: 'png', width: 300, height: 300,
    regions: tags.map((tag) => ({ tag, left: 0, top: 0, width: 0.1, height: 0.1 })),
  };
}

describe('image identity in metadata', () => {
  it('round-trips 64 image ids and hashes in values of at most 512 characters', () => {
    const pairs: [string, string][] = Array.from({ length: 64 }, (_, i) => [`00000000-0000-0000-0000-${String(i).padStart(12, '0')}`, String(i).padStart(32, 'a')]);
    const metadata = hashMetadata(pairs);
    expect(Object.values(metadata).every((v) => v.length <= 512)).toBe(true);
    expect(Object.keys(metadata).length).toBeLessThanOrEqual(50);
    const images = pairs.map(([id]) => ({ id, width: 1, height: 1, metadata }));
    const byHash = imagesByHash(images);
    expect(byHash.size).toBe(64);
    expect(byHash.get(pairs[17][1])?.id).toBe(pairs[17][0]);
  });

  it('ignores images without the record (uploaded by other means)', () => {
    expect(imagesByHash([{ id: 'x', width: 1, height: 1, metadata: { owner: 'someone' } }]).size).toBe(0);
  });
});

describe('uploadBatches', () => {
  it('caps a batch at 64 images', () => {
    const batches = uploadBatches(Array.from({ length: 130 }, (_, i) => image(i, ['a'])));
    expect(batches.map((b) => b.length)).toEqual([64, 64, 2]);
  });

  it('caps a batch at 20 distinct tags', () => {
    const batches = uploadBatches(Array.from({ length: 30 }, (_, i) => image(i, [`tag-${i}`])));
    expect(batches.map((b) => b.length)).toEqual([20, 10]);
    for (const b of batches) expect(new Set(b.flatMap((i) => i.regions.map((r) => r.tag))).size).toBeLessThanOrEqual(20);
  });

  it('starts a new batch before 24 MB of image bytes', () => {
    const batches = uploadBatches(Array.from({ length: 10 }, (_, i) => image(i, ['a'], 5 * 1024 * 1024)));
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
  });
});
