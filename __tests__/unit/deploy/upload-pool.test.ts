import { runWithinBudget, UPLOAD_LIMITS, type UploadPoolLimits } from '../../../src/deploy/upload-pool';

const MIB = 1024 * 1024;

/** Runs the pool over `sizes` with work that finishes when the test says; records what was in flight. */
async function simulate(sizes: number[], limits: UploadPoolLimits, failAt?: number) {
  const running = new Map<number, () => void>();
  const started: number[] = [];
  let peakFiles = 0;
  let peakBytes = 0;
  const items = sizes.map((size, id) => ({ id, size }));
  const done = runWithinBudget(items, (i) => i.size, limits, (item) => {
    started.push(item.id);
    const promise = new Promise<void>((resolve, reject) => running.set(item.id, () => (item.id === failAt ? reject(new Error(`file ${item.id} failed`)) : resolve())));
    peakFiles = Math.max(peakFiles, running.size);
    peakBytes = Math.max(peakBytes, [...running.keys()].reduce((n, id) => n + limits.costOf(sizes[id]), 0));
    return promise;
  });
  // Finish the oldest running item, one at a time, until the pool settles.
  let outcome: { ok: boolean; error?: string } | undefined;
  done.then(
    () => (outcome = { ok: true }),
    (e: Error) => (outcome = { ok: false, error: e.message }),
  );
  for (let guard = 0; !outcome && guard < 100_000; guard++) {
    await new Promise((r) => setImmediate(r));
    const [first] = running.keys();
    if (first !== undefined) {
      const finish = running.get(first)!;
      running.delete(first);
      finish();
    }
  }
  return { started, peakFiles, peakBytes, outcome };
}

describe('runWithinBudget', () => {
  it('keeps 32 small files in flight, not 4', async () => {
    const r = await simulate(Array(1000).fill(4096), UPLOAD_LIMITS);
    expect(r.outcome).toEqual({ ok: true });
    expect(r.started).toHaveLength(1000);
    expect(r.peakFiles).toBe(32);
  });

  it('holds large files to the byte budget: two 1 GiB files at 32 MiB of blocks each, small files beside them', async () => {
    const sizes = [1024 * MIB, 1024 * MIB, 1024 * MIB, ...Array(50).fill(4096)];
    const r = await simulate(sizes, UPLOAD_LIMITS);
    expect(r.outcome).toEqual({ ok: true });
    expect(r.peakBytes).toBeLessThanOrEqual(64 * MIB);
    // The large ones start first; the small ones still run beside them once the budget allows.
    expect(r.started.slice(0, 2)).toEqual([0, 1]);
    expect(new Set(r.started).size).toBe(sizes.length);
  });

  it('runs an item larger than the whole budget alone', async () => {
    const limits: UploadPoolLimits = { maxFiles: 8, maxBytes: 10, costOf: (n) => n };
    const r = await simulate([25, 3, 3], limits);
    expect(r.outcome).toEqual({ ok: true });
    expect(r.started[0]).toBe(0);
    expect(r.peakBytes).toBe(25);
  });

  it('fills the budget with the smallest waiting files when the next large one does not fit', async () => {
    const limits: UploadPoolLimits = { maxFiles: 8, maxBytes: 10, costOf: (n) => n };
    const r = await simulate([6, 6, 1, 1, 1], limits);
    expect(r.started.slice(0, 4)).toEqual([0, 4, 3, 2]);
    expect(r.peakBytes).toBeLessThanOrEqual(10);
  });

  it('starts nothing new after a failure and rejects with it', async () => {
    const limits: UploadPoolLimits = { maxFiles: 2, maxBytes: 100, costOf: (n) => n };
    const r = await simulate([5, 4, 3, 2, 1], limits, 0);
    expect(r.outcome).toEqual({ ok: false, error: 'file 0 failed' });
    expect(r.started).toEqual([0, 1]);
  });

  it('resolves at once with nothing to do', async () => {
    await expect(runWithinBudget([], () => 0, UPLOAD_LIMITS, async () => undefined)).resolves.toBeUndefined();
  });
});
