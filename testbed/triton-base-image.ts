/**
 * Stand-ins for NVIDIA's Triton base image: there is no internet here, and the test bed runs the
 * model with onnxruntime, not the container.
 * - pushStandInBase: a multi-layer image written straight over the OCI distribution API (no docker),
 *   as nvcr.io serves it to the stand-in registry for nvcr.io.
 * - seedTritonBaseImage: a one-layer image built FROM scratch with the docker CLI against the test
 *   bed's dockerd and pushed into the ACR's backend (as a team mirrors nvcr.io images into its ACR).
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { DOCKER_IMAGE_CONFIG, DOCKER_LAYER, DOCKER_MANIFEST } from './manifest-media-types';

export const BASE_IMAGE_PATH = 'mirror/nvidia/tritonserver:25.04-py3';
/** Repository and tag of the stand-in on the stand-in for nvcr.io. */
export const NGC_BASE_REPOSITORY = 'nvidia/tritonserver';
export const NGC_BASE_TAG = '25.04-py3';

/** Pushes the stand-in straight to the registry backend and returns its name behind the ACR login server. */
export function seedTritonBaseImage(dockerHost: string, backendUrl: string, loginServer: string): string {
  const backend = new URL(backendUrl).host;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'triton-base-'));
  try {
    fs.writeFileSync(path.join(dir, 'tritonserver'), '#!/bin/sh\necho "stand-in for NVIDIA tritonserver (test bed)"\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY tritonserver /opt/tritonserver/bin/tritonserver\nENV PATH=/opt/tritonserver/bin\n');
    const env = { ...process.env, DOCKER_HOST: dockerHost, DOCKER_CONFIG: dir };
    const ref = `${backend}/${BASE_IMAGE_PATH}`;
    execFileSync('docker', ['build', '--quiet', '--tag', ref, dir], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    execFileSync('docker', ['push', '--quiet', ref], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    execFileSync('docker', ['image', 'rm', ref], { env, stdio: 'ignore' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return `${loginServer}/${BASE_IMAGE_PATH}`;
}

/** One ustar entry (POSIX.1-1988 header, 512-byte blocks). */
function tarEntry(name: string, data: Buffer, mode: number): Buffer {
  const header = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string) => header.write(value, offset, length, 'ascii');
  const octal = (n: number, length: number) => n.toString(8).padStart(length - 1, '0');
  field(0, 100, name);
  field(100, 8, octal(mode, 8));
  field(108, 8, octal(0, 8));
  field(116, 8, octal(0, 8));
  field(124, 12, octal(data.length, 12));
  field(136, 12, octal(1700000000, 12));
  field(148, 8, '        ');
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  let sum = 0;
  for (const b of header) sum += b;
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  const padded = Buffer.alloc(Math.ceil(data.length / 512) * 512);
  data.copy(padded);
  return Buffer.concat([header, padded]);
}

function tar(files: { name: string; data: Buffer; mode?: number }[]): Buffer {
  return Buffer.concat([...files.map((f) => tarEntry(f.name, f.data, f.mode ?? 0o644)), Buffer.alloc(1024)]);
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** The stand-in's layers, like Triton's: an OS layer, the server, and its backends. */
export function standInBaseImage(): { config: Buffer; manifest: Buffer; blobs: Map<string, Buffer> } {
  const layerFiles = [
    [{ name: 'etc/os-release', data: Buffer.from('PRETTY_NAME="Ubuntu 24.04 (test bed stand-in)"\n') }],
    [{ name: 'opt/tritonserver/bin/tritonserver', data: Buffer.from('#!/bin/sh\necho "stand-in for NVIDIA tritonserver (test bed)"\n'), mode: 0o755 }],
    [{ name: 'opt/tritonserver/backends/onnxruntime/README', data: Buffer.from('stand-in for the ONNX Runtime backend\n') }],
  ];
  const blobs = new Map<string, Buffer>();
  const layers: { mediaType: string; digest: string; size: number }[] = [];
  const diffIds: string[] = [];
  for (const files of layerFiles) {
    const raw = tar(files);
    const gz = zlib.gzipSync(raw, { level: 9 });
    diffIds.push(sha256(raw));
    blobs.set(sha256(gz), gz);
    layers.push({ mediaType: DOCKER_LAYER, digest: sha256(gz), size: gz.length });
  }
  const created = '2025-04-24T00:00:00Z';
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    created,
    config: {
      Env: ['PATH=/opt/tritonserver/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TRITON_SERVER_VERSION=2.57.0'],
      WorkingDir: '/opt/tritonserver',
      Entrypoint: ['/opt/nvidia/nvidia_entrypoint.sh'],
      Labels: { 'com.nvidia.tritonserver.version': '2.57.0' },
    },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: [
      { created, created_by: '/bin/sh -c #(nop) ADD file:ubuntu-rootfs in / ' },
      { created, created_by: 'COPY tritonserver /opt/tritonserver/bin/ # buildkit', comment: 'buildkit.dockerfile.v0' },
      { created, created_by: 'COPY backends /opt/tritonserver/backends # buildkit', comment: 'buildkit.dockerfile.v0' },
    ],
  }));
  blobs.set(sha256(config), config);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: DOCKER_MANIFEST,
    config: { mediaType: DOCKER_IMAGE_CONFIG, digest: sha256(config), size: config.length },
    layers,
  }, null, 3));
  return { config, manifest, blobs };
}

/** Writes the stand-in over the distribution API (monolithic uploads) to a docker-registry backend. */
export async function pushStandInBase(backendUrl: string, repository = NGC_BASE_REPOSITORY, tag = NGC_BASE_TAG): Promise<{ manifestDigest: string; layers: string[] }> {
  const image = standInBaseImage();
  const base = backendUrl.replace(/\/+$/, '');
  for (const [digest, data] of image.blobs) {
    const start = await fetch(`${base}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
    const location = start.headers.get('location');
    if (start.status !== 202 || !location) throw new Error(`upload to ${repository} answered ${start.status}`);
    const url = new URL(location, base);
    url.searchParams.set('digest', digest);
    const put = await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: data });
    if (put.status !== 201) throw new Error(`blob ${digest} answered ${put.status}`);
  }
  const put = await fetch(`${base}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    headers: { 'content-type': DOCKER_MANIFEST },
    body: image.manifest,
  });
  if (put.status !== 201) throw new Error(`manifest ${repository}:${tag} answered ${put.status}: ${await put.text()}`);
  const layers = (JSON.parse(image.manifest.toString('utf8')) as { layers: { digest: string }[] }).layers.map((l) => l.digest);
  return { manifestDigest: sha256(image.manifest), layers };
}
