/**
 * `npm run bench`: what makes a deploy waste time, measured on this machine. Targets live here and
 * in docs/benchmarks.md, never as timed assertions in tests. Everything written goes to one temp
 * dir and everything started is stopped, also on Ctrl-C.
 *
 *   npm run bench -- [--only hash,upload,smoke,flow,image,small] [--model-mb 512] [--base-mib 1040] [--markdown]
 *
 * Writes bench/results.json (the image area's numbers, the action's start-up time and bundle size).
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { onCleanup, runCleanups } from './cleanup-on-exit';
import { benchValidateAndHash } from './hash-bench';
import type { BenchRow } from './result-table';
import { formatMarkdown, formatTable } from './result-table';
import { benchSmallFiles } from './small-files-bench';
import { benchSmokeTest } from './smoke-test-bench';
import { benchUpload } from './upload-bench';
import { benchWholeFlow } from './whole-flow-bench';
import { benchImageBuild, type ImageBenchResult } from './image-build-bench';

const AREAS = ['hash', 'upload', 'smoke', 'flow', 'image', 'small'] as const;
type Area = (typeof AREAS)[number];

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function machine(): string {
  const repo = path.resolve(__dirname, '..');
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    /* not a git checkout */
  }
  const dist = path.join(repo, 'dist', 'index.js');
  const built = fs.existsSync(dist) ? fs.statSync(dist).mtime.toISOString() : 'missing';
  return [
    `${new Date().toISOString()}  node ${process.version}  ${os.platform()} ${os.arch()}`,
    `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
    `commit ${commit}, dist/index.js built ${built}`,
  ].join('\n');
}

/** The bundle's cold start: node loading dist/index.js until it stops on a missing input (median of 5). */
function actionStartup(): { startupMs: number; distBytes: number } {
  const dist = path.resolve(__dirname, '..', 'dist', 'index.js');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('INPUT_')));
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = process.hrtime.bigint();
    spawnSync(process.execPath, [dist], { env: { ...env, GITHUB_ACTIONS: '' }, stdio: 'ignore', timeout: 60000 });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { startupMs: Math.round(times[2]), distBytes: fs.statSync(dist).size };
}

async function main(): Promise<void> {
  const only = (option('only')?.split(',') ?? [...AREAS]) as Area[];
  const unknown = only.filter((a) => !AREAS.includes(a));
  if (unknown.length) throw new Error(`--only ${unknown.join(',')}: expected some of ${AREAS.join(',')}`);
  // The upload sends the large repository the hash benchmark writes.
  if (only.includes('upload') && !only.includes('hash')) only.push('hash');
  const modelMb = Number(option('model-mb') ?? 512);
  const baseMiB = Number(option('base-mib') ?? 1040);
  if (!(baseMiB >= 1024)) throw new Error(`--base-mib ${option('base-mib')}: expected a number of MiB >= 1024`);
  if (!(modelMb >= 8)) throw new Error(`--model-mb ${option('model-mb')}: expected a number of MiB >= 8`);

  console.log(machine());
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aml-triton-bench-'));
  // Registered first, so it runs last: after the peers using it are stopped.
  onCleanup(() => fs.rmSync(workDir, { recursive: true, force: true }));
  const started = Date.now();
  const rows: BenchRow[] = [];
  const log = (s: string): void => console.log(s);
  const section = async (area: Area, title: string, work: () => Promise<BenchRow[]>): Promise<void> => {
    if (!only.includes(area)) return;
    const t = Date.now();
    console.log(`\n${title}`);
    rows.push(...(await work()));
    console.log(`  (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  };
  let image: ImageBenchResult | undefined;
  try {
    let largeRepoJson = '';
    await section('hash', `1. validate + hash (bundled sample, ${modelMb / 8} and ${modelMb} MiB models)`, async () => {
      const r = await benchValidateAndHash(workDir, modelMb, log);
      largeRepoJson = r.largeRepoJson;
      return r.rows;
    });
    await section('upload', `2. upload ${modelMb} MiB to Azurite, then again (nothing to send)`, () => {
      const stateDir = path.join(workDir, 'azurite-state');
      fs.mkdirSync(stateDir);
      return benchUpload(stateDir, largeRepoJson, log);
    });
    // The large repository is not needed any more; free the disk before the test bed starts.
    for (const e of fs.readdirSync(workDir)) if (e.startsWith('repo-')) fs.rmSync(path.join(workDir, e), { recursive: true, force: true });
    await section('smoke', '3. smoke-test hot path per 1248x384 image (CPU only)', () => benchSmokeTest(log));
    await section('flow', '4. whole flow: first run vs no-op re-run (dist/index.js)', () => benchWholeFlow(workDir, log));
    await section('image', `5. Triton image: docker path vs registry path, first deploy over a ${baseMiB} MiB base`, async () => {
      const r = await benchImageBuild(workDir, log, baseMiB);
      image = r.result;
      return r.rows;
    });
    await section('small', '6. many small files: validate + hash, then upload to Azurite', () => benchSmallFiles(workDir, log));
  } finally {
    await runCleanups();
  }
  const { startupMs, distBytes } = actionStartup();
  rows.push({ area: 'action', measure: 'cold start of dist/index.js (load, read inputs)', value: startupMs, unit: 'ms', digits: 0 });
  rows.push({ area: 'action', measure: 'dist/index.js size', value: distBytes / 2 ** 20, unit: 'MiB', digits: 1 });
  const results = { measured_at: new Date().toISOString(), machine: machine().split('\n'), ...(image ?? {}), startup_ms: startupMs, dist_bytes: distBytes };
  fs.writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const missed = rows.filter((r) => r.meets === false).length;
  console.log(`\n${formatTable(rows)}\n`);
  if (process.argv.includes('--markdown')) console.log(`${formatMarkdown(rows)}\n`);
  console.log(`${rows.filter((r) => r.meets !== undefined).length - missed} targets met, ${missed} missed; ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
}

main().then(
  () => process.exit(0),
  async (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    await runCleanups();
    process.exit(1);
  },
);
