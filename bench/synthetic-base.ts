/**
 * A synthetic Triton base of random data (>= 1 GiB, several layers) for the image benchmark: each
 * layer a gzipped tar (gzip level 0, so random data costs no compression time here) written to a
 * file once, then pushed over the distribution API to any docker-registry backend (monolithic
 * uploads streamed from the file). Random bytes: nothing can be deduplicated or compressed away.
 */
import { createHash, randomFillSync } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { pipeline } from 'stream/promises';
import * as zlib from 'zlib';

export interface SyntheticBase {
  manifest: Buffer;
  config: Buffer;
  layers: { file: string; digest: string; size: number }[];
  /** Sum of the blob sizes (config + layers): what a pull moves. */
  bytes: number;
}

const sha = () => createHash('sha256');

function ustarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  const octal = (n: number, w: number) => n.toString(8).padStart(w - 1, '0');
  h.write(name, 0, 100);
  h.write(octal(0o644, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(1700000000, 12), 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

async function* layerTar(name: string, bytes: number, diff: ReturnType<typeof sha>): AsyncGenerator<Buffer> {
  const emit = (b: Buffer) => (diff.update(b), b);
  yield emit(ustarHeader(name, bytes));
  const chunk = Buffer.alloc(8 * 1024 * 1024);
  for (let left = bytes; left > 0; left -= chunk.length) {
    randomFillSync(chunk);
    yield emit(Buffer.from(chunk.subarray(0, Math.min(chunk.length, left))));
  }
  yield emit(Buffer.alloc((512 - (bytes % 512)) % 512 + 1024));
}

export async function writeSyntheticBase(dir: string, layerCount: number, layerBytes: number): Promise<SyntheticBase> {
  const layers: SyntheticBase['layers'] = [];
  const diffIds: string[] = [];
  for (let i = 0; i < layerCount; i++) {
    const file = path.join(dir, `layer-${i}.tar.gz`);
    const diff = sha();
    const blob = sha();
    let size = 0;
    await pipeline(layerTar(`opt/tritonserver/lib/part-${i}.bin`, layerBytes, diff), zlib.createGzip({ level: 0 }), async function* (source: AsyncIterable<Buffer>) {
      for await (const b of source) {
        blob.update(b);
        size += b.length;
        yield b;
      }
    }, fs.createWriteStream(file));
    diffIds.push(`sha256:${diff.digest('hex')}`);
    layers.push({ file, digest: `sha256:${blob.digest('hex')}`, size });
  }
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', created: '2025-04-24T00:00:00Z',
    config: { Env: ['PATH=/opt/tritonserver/bin:/usr/bin:/bin'], WorkingDir: '/opt/tritonserver', Entrypoint: ['/opt/nvidia/nvidia_entrypoint.sh'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: diffIds.map((_, i) => ({ created: '2025-04-24T00:00:00Z', created_by: `COPY part-${i}.bin /opt/tritonserver/lib/ # synthetic` })),
  }));
  const configDigest = `sha256:${sha().update(config).digest('hex')}`;
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: configDigest, size: config.length },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: l.digest, size: l.size })),
  }));
  return { manifest, config, layers, bytes: config.length + layers.reduce((n, l) => n + l.size, 0) };
}

function request(url: URL, method: string, headers: Record<string, string | number>, body?: Buffer | string): Promise<{ status: number; location?: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, text }));
    });
    req.on('error', reject);
    if (typeof body === 'string') fs.createReadStream(body).pipe(req);
    else req.end(body);
  });
}

async function pushBlob(backend: string, repository: string, digest: string, size: number, body: Buffer | string): Promise<void> {
  const start = await request(new URL(`${backend}/v2/${repository}/blobs/uploads/`), 'POST', { 'content-length': 0 });
  if (start.status !== 202 || !start.location) throw new Error(`upload to ${repository} answered ${start.status}`);
  const url = new URL(start.location, backend);
  url.searchParams.set('digest', digest);
  const put = await request(url, 'PUT', { 'content-type': 'application/octet-stream', 'content-length': size }, body);
  if (put.status !== 201) throw new Error(`blob ${digest} answered ${put.status}: ${put.text}`);
}

/** Pushes the base to a plain-HTTP docker-registry (the test bed's stand-in for nvcr.io). */
export async function pushSyntheticBase(base: SyntheticBase, backendUrl: string, repository: string, tag: string): Promise<void> {
  const backend = backendUrl.replace(/\/+$/, '');
  for (const l of base.layers) await pushBlob(backend, repository, l.digest, l.size, l.file);
  const configDigest = (JSON.parse(base.manifest.toString()) as { config: { digest: string } }).config.digest;
  await pushBlob(backend, repository, configDigest, base.config.length, base.config);
  const put = await request(new URL(`${backend}/v2/${repository}/manifests/${tag}`), 'PUT', { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json', 'content-length': base.manifest.length }, base.manifest);
  if (put.status !== 201) throw new Error(`manifest ${repository}:${tag} answered ${put.status}: ${put.text}`);
}
