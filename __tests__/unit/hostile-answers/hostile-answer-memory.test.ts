/**
 * Issue 12 point 4: answers built to exhaust memory fail with a message naming the operation and
 * the limit, and the process stays under 512 MB resident. Each answer is read in a child process,
 * whose peak RSS (VmHWM) is the measure.
 */
import { execFile } from 'child_process';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import * as zlib from 'zlib';

const REPO = path.resolve(__dirname, '../../..');
const MIB = 1024 * 1024;
const HOSTILE_BYTES = 1536 * MIB;
const RSS_LIMIT_MB = 512;

/** A raw deflate stream of `mib` MiB of zeros, about 1 KB per MiB: full-flushed blocks repeated, then an empty final block (RFC 1951 3.2.3). */
function deflatedZeros(mib: number): Buffer {
  const block = zlib.deflateRawSync(Buffer.alloc(MIB), { finishFlush: zlib.constants.Z_FULL_FLUSH, level: 9 });
  return Buffer.concat([...Array.from({ length: mib }, () => block), Buffer.from([0x03, 0x00])]);
}

/** A one-entry ZIP (APPNOTE 4.3.7 / 4.3.12 / 4.3.16) whose headers declare `declaredSize`. */
function zipOf(name: string, packed: Buffer, declaredSize: number): Buffer {
  const n = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(packed.length, 18);
  local.writeUInt32LE(declaredSize, 22);
  local.writeUInt16LE(n.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(packed.length, 20);
  central.writeUInt32LE(declaredSize, 24);
  central.writeUInt16LE(n.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + n.length, 12);
  end.writeUInt32LE(local.length + n.length + packed.length, 16);
  return Buffer.concat([local, n, packed, central, n, end]);
}

/** Writes `total` bytes of `fill` in 1 MiB chunks, following back-pressure, until done or the client leaves. */
function stream(res: http.ServerResponse, total: number, fill: number): void {
  const chunk = Buffer.alloc(MIB, fill);
  let sent = 0;
  const pump = () => {
    while (sent < total && !res.destroyed) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end();
  };
  pump();
}

const bomb = deflatedZeros(1536);
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    const route = req.url ?? '';
    if (route === '/export/honest-bomb.zip') res.end(zipOf('model.onnx', bomb, HOSTILE_BYTES));
    else if (route === '/export/lying-bomb.zip') res.end(zipOf('model.onnx', bomb, 4096));
    else if (route === '/export/endless.zip') {
      res.writeHead(200, { 'content-type': 'application/zip' }); // chunked: no Content-Length to check
      stream(res, HOSTILE_BYTES, 0x50);
    } else if (route.endsWith('/infer')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"model_name":"detector","outputs":[{"name":"boxes","datatype":"FP32","shape":[1],"data":[');
      stream(res, HOSTILE_BYTES, 0x30); // "000..." digits
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function readInChild(kind: string, url: string): Promise<{ error: string | null; vmHwmMb: number }> {
  const tsx = path.join(REPO, 'node_modules', 'tsx', 'dist', 'cjs', 'index.cjs');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--require', tsx, path.join(__dirname, 'read-hostile-answer.ts'), kind, url], { cwd: REPO, maxBuffer: MIB }, (error, stdout, stderr) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last) as { error: string | null; vmHwmMb: number });
      } catch {
        reject(new Error(`the child printed no result (${error?.message ?? ''}): ${stderr.slice(-2000)}`));
      }
    });
  });
}

it.each([
  ['a 1.5 MB export whose model declares 1.5 GiB', 'honest-bomb.zip', /model\.onnx unpacks to 1610612736 bytes, past the limit of 128 MiB/],
  ['a 1.5 MB export whose model declares 4 KiB and inflates to 1.5 GiB', 'lying-bomb.zip', /model\.onnx inflates to more than its declared 4096 bytes/],
  ['an export download of 1.5 GB without Content-Length', 'endless.zip', /the Custom Vision export download is larger than 128 MiB .*the limit for it/],
])('refuses %s within 512 MB of memory', async (_what, file, message) => {
  expect(bomb.length).toBeLessThan(2 * MIB);
  const result = await readInChild('custom-vision-export', `${base}/export/${file}`);
  expect(result.error).toMatch(message);
  expect(result.vmHwmMb).toBeLessThanOrEqual(RSS_LIMIT_MB);
});

it('refuses a 1.5 GB KServe inference answer within 512 MB of memory, naming the request and the limit', async () => {
  const result = await readInChild('kserve-infer', `${base}/score`);
  expect(result.error).toMatch(/POST \/score\/v2\/models\/detector\/infer: the answer is larger than 64 MiB .*the limit for a scoring answer/);
  expect(result.vmHwmMb).toBeLessThanOrEqual(RSS_LIMIT_MB);
});
