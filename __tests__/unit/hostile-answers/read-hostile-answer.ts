/**
 * Run in a child process by hostile-answer-memory.test.ts: reads one hostile answer the way the
 * action does and prints { error, vmHwmMb } (the peak resident memory, from /proc/self/status).
 * Usage: node --require tsx/cjs read-hostile-answer.ts custom-vision-export|kserve-infer <url>
 */
import * as fs from 'fs';
import { silentLog } from '../../../src/log';
import { KServeClient } from '../../../src/smoke-test/kserve-client';
import { readExportPackage } from '../../../src/source/custom-vision/export-package';
import { TrainingHttp } from '../../../src/source/custom-vision/training-http';

async function read(kind: string, url: string): Promise<void> {
  if (kind === 'custom-vision-export') {
    const zip = await new TrainingHttp('http://127.0.0.1', 'training-key', silentLog).download(url);
    await readExportPackage(zip);
    return;
  }
  const client = new KServeClient({ baseUrl: url, key: 'endpoint-key', timeoutMs: 300_000, retry: { attempts: 1, baseDelayMs: 1 }, log: silentLog });
  try {
    await client.infer('detector', [{ name: 'image', datatype: 'FP32', shape: [1, 3], data: new Float32Array(3) }], ['boxes'], { binary: false });
  } finally {
    client.close();
  }
}

function peakRssMb(): number {
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1]);
  return Math.round(kb / 1024);
}

read(process.argv[2], process.argv[3]).then(
  () => console.log(JSON.stringify({ error: null, vmHwmMb: peakRssMb() })),
  (e: Error) => console.log(JSON.stringify({ error: `${e.name}: ${e.message}`, vmHwmMb: peakRssMb() })),
);
