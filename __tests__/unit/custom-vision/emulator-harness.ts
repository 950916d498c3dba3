/**
 * The Custom Vision emulator alone on the test bed's HTTPS server (no peers): a throwaway CA and
 * certificate, the route table with only the Custom Vision routes, and an https.Agent trusting the CA.
 */
import * as fs from 'fs';
import * as https from 'https';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import type { TestbedContext } from '../../../testbed/context';
import { createCustomVisionEmulator, CustomVisionEmulator } from '../../../testbed/custom-vision/register';
import { FaultScript } from '../../../testbed/server/faults';
import { createMainServer } from '../../../testbed/server/https-server';
import { RequestLog } from '../../../testbed/server/request-log';
import { RouteTable } from '../../../testbed/server/router';
import { makeCertificates } from '../../../testbed/tls/make-certificates';

export const TRAINING_KEY = 'cv-training-key-for-tests-0123456789';

export interface EmulatorHarness {
  baseUrl: string;
  agent: https.Agent;
  emulator: CustomVisionEmulator;
  faults: FaultScript;
  requests: RequestLog;
  tmpDir: string;
  /** A raw HTTPS call to the emulator; JSON in and out. */
  call(method: string, pathAndQuery: string, opts?: { key?: string; body?: unknown }): Promise<{ status: number; headers: Record<string, unknown>; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  stop(): Promise<void>;
}

export async function startEmulator(): Promise<EmulatorHarness> {
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cv-emulator-'));
  const certs = await makeCertificates(tmpDir);
  const routes = new RouteTable();
  const faults = new FaultScript();
  const requests = new RequestLog();
  const server = createMainServer({ tls: { cert: certs.cert, key: certs.key }, routes, faults, requestLog: requests, onArmExchange: () => undefined, log: () => undefined });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
  const baseUrl = `https://127.0.0.1:${port}`;
  const ctx = {
    settings: { customVisionTrainingKey: TRAINING_KEY, customVisionEndpoint: baseUrl },
    baseUrl,
    log: () => undefined,
  } as unknown as TestbedContext;
  const emulator = createCustomVisionEmulator(routes, ctx);
  const agent = new https.Agent({ ca: certs.ca, keepAlive: true });

  const call: EmulatorHarness['call'] = (method, pathAndQuery, opts = {}) =>
    new Promise((resolve, reject) => {
      const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
      const headers: Record<string, string> = { 'Training-Key': opts.key ?? TRAINING_KEY };
      if (payload) headers['Content-Type'] = 'application/json';
      const req = https.request(new URL(pathAndQuery, baseUrl), { method, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined });
        });
      });
      req.on('error', reject);
      req.end(payload);
    });

  const stop = async (): Promise<void> => {
    agent.destroy();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    fs.rmSync(tmpDir, { recursive: true, force: true });
  };
  return { baseUrl, agent, emulator, faults, requests, tmpDir, call, stop };
}
