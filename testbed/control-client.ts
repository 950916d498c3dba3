/** A small client for the test bed's /_testbed control API, trusting its CA (tests and the demo). */
import * as fs from 'fs';
import * as https from 'https';
import type { TestbedSettings } from './settings';

export async function control<T = unknown>(settings: TestbedSettings, method: string, path: string, body?: unknown): Promise<T> {
  const url = new URL(`${settings.controlUrl}${path}`);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise<T>((resolve, reject) => {
    const req = https.request(
      url,
      { method, ca: fs.readFileSync(settings.caFile), headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 500) >= 400) return reject(new Error(`${method} ${url.pathname} -> ${res.statusCode}: ${text}`));
          resolve((text ? JSON.parse(text) : undefined) as T);
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export interface SpecViolation {
  operation?: string;
  method: string;
  url: string;
  direction: 'request' | 'response';
  errors: { code: string; message: string; path?: string }[];
}

export const specViolations = (s: TestbedSettings) => control<SpecViolation[]>(s, 'GET', '/violations');
