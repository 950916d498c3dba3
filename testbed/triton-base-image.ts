/**
 * A stand-in for NVIDIA's Triton base image, pushed into the test bed's registry (as a team mirrors
 * nvcr.io images into its ACR): there is no internet here, and the test bed runs the model with
 * onnxruntime, not the container. Built FROM scratch with the real docker CLI against the test bed's dockerd.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const BASE_IMAGE_PATH = 'mirror/nvidia/tritonserver:25.04-py3';

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
