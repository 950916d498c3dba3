/**
 * How many files the upload keeps in flight: sized by the files, not a fixed count. Many small
 * files are one request each, so their round trips overlap (up to `maxFiles`); a large file is
 * sent as parallel blocks and holds up to blockSize x blockConcurrency bytes, so large files share
 * a budget of bytes in flight and do not multiply the memory by the number of workers.
 */

export interface UploadPoolLimits {
  /** Files in flight at most (small files: one request each). */
  maxFiles: number;
  /** Bytes the files in flight may hold at once. */
  maxBytes: number;
  /** Bytes one file holds while it uploads (large files: the blocks in flight, not the file). */
  costOf(size: number): number;
}

const MIB = 1024 * 1024;

/** The upload's settings: 8 MiB blocks, 4 in flight per large file, 32 files and 64 MiB in flight. */
export const UPLOAD_BLOCK_SIZE = 8 * MIB;
export const UPLOAD_BLOCK_CONCURRENCY = 4;
export const UPLOAD_LIMITS: UploadPoolLimits = {
  maxFiles: 32,
  maxBytes: 64 * MIB,
  costOf: (size) => Math.min(Math.max(size, 1), UPLOAD_BLOCK_SIZE * UPLOAD_BLOCK_CONCURRENCY),
};

/**
 * Runs `work` for each item, largest first (the long uploads start early, small ones fill the gaps),
 * within the limits. An item costing more than the whole budget still runs, alone. Stops starting
 * new work after the first failure and rejects with it once the running ones have settled.
 */
export async function runWithinBudget<T>(items: readonly T[], sizeOf: (item: T) => number, limits: UploadPoolLimits, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items].sort((a, b) => sizeOf(b) - sizeOf(a));
  let files = 0;
  let bytes = 0;
  let failure: { error: unknown } | undefined;
  return new Promise<void>((resolve, reject) => {
    const pump = (): void => {
      while (!failure && queue.length > 0 && files < limits.maxFiles) {
        // The smallest waiting item fits best in what is left; the queue is sorted largest first.
        const cost = limits.costOf(sizeOf(queue[0]));
        let index = 0;
        if (files > 0 && bytes + cost > limits.maxBytes) {
          index = queue.length - 1;
          if (bytes + limits.costOf(sizeOf(queue[index])) > limits.maxBytes) break;
        }
        const [item] = queue.splice(index, 1);
        const itemCost = limits.costOf(sizeOf(item));
        files++;
        bytes += itemCost;
        work(item).then(
          () => settle(itemCost),
          (error: unknown) => {
            failure ??= { error };
            settle(itemCost);
          },
        );
      }
      if (files === 0 && (failure || queue.length === 0)) {
        if (failure) reject(failure.error);
        else resolve();
      }
    };
    const settle = (cost: number): void => {
      files--;
      bytes -= cost;
      pump();
    };
    pump();
  });
}
