/**
 * Timing, memory and child-process helpers shared by the benchmarks. Memory is measured in a child
 * process of its own where it matters, so one benchmark's garbage never shows up in another's peak.
 */
import { spawn } from 'child_process';
import * as path from 'path';
import { onCleanup } from './cleanup-on-exit';

export const MIB = 1024 * 1024;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Milliseconds of one call. */
export async function timeOnce(work: () => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Median milliseconds over `runs` calls, after `warmup` calls that let the JIT settle. */
export async function medianMs(work: () => unknown, runs: number, warmup = 2): Promise<number> {
  for (let i = 0; i < warmup; i++) await work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await timeOnce(work));
  return median(times);
}

/**
 * Peak resident set size while `work` runs, as the larger of a 5 ms sampler and the kernel's
 * high-water mark (the latter only counts if it rose during the work: it also holds start-up peaks).
 */
export async function withPeakRss<T>(work: () => Promise<T>): Promise<{ result: T; rssBefore: number; peakRss: number }> {
  const rssBefore = process.memoryUsage.rss();
  const maxBefore = process.resourceUsage().maxRSS * 1024;
  let sampled = rssBefore;
  const sampler = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage.rss())), 5);
  try {
    const result = await work();
    sampled = Math.max(sampled, process.memoryUsage.rss());
    const maxAfter = process.resourceUsage().maxRSS * 1024;
    return { result, rssBefore, peakRss: Math.max(sampled, maxAfter > maxBefore ? maxAfter : 0) };
  } finally {
    clearInterval(sampler);
  }
}

/** Runs bench/<script> with tsx in a fresh node and returns the JSON it prints on its last line. */
export function runBenchChild<T>(script: string, args: string[], env: Record<string, string> = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, script), ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const forget = onCleanup(() => child.kill('SIGKILL'));
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      forget();
      const last = out.trimEnd().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${script} exited with ${code}: ${err.trim() || out.trim()}`));
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${script} printed no JSON result: ${out.trim()} ${err.trim()}`));
      }
    });
  });
}

/** Prints a child's result for runBenchChild. */
export function printChildResult(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Child scripts: print the error and exit 1 instead of an unhandled rejection. */
export function runChildMain(main: () => Promise<unknown>): void {
  main().then(printChildResult, (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}

export const mb = (bytes: number): number => bytes / MIB;
export const mbPerS = (bytes: number, ms: number): number => bytes / MIB / (ms / 1000);
