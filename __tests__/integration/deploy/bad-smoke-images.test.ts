/**
 * Issue 10 (5): smoke-test images the smoke test could not decode (a text file named .png, a
 * truncated JPEG, a 12000x12000 picture) fail while the plan is made, naming the input and each
 * file, and Azure sees no write: no model, no image, no endpoint, no deployment.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { control, startFixture, type Fixture } from '../testbed-fixture';

let fx: Fixture;

/** A real, valid 12000x12000 8-bit grey PNG (all black), deflated row by row to keep memory small. */
async function hugePng(file: string, side: number): Promise<void> {
  const chunk = (type: string, body: Buffer): Buffer => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length);
    const typed = Buffer.concat([Buffer.from(type, 'ascii'), body]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(typed));
    return Buffer.concat([head, typed, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grey
  const deflate = zlib.createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (b: Buffer) => parts.push(b));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  const row = Buffer.alloc(1 + side); // filter byte 0, then the row
  for (let y = 0; y < side; y++) deflate.write(row);
  deflate.end();
  await done;
  fs.writeFileSync(file, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', Buffer.concat(parts)), chunk('IEND', Buffer.alloc(0))]));
}

beforeAll(async () => {
  fx = await startFixture('bad-images');
  const dir = path.join(fx.workspace, 'samples/bad-images');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'notes.png'), 'Remember: test the stop sign at dusk.\n');
  const jpg = fs.readFileSync(path.join(fx.workspace, 'samples/tao-detectnet-v2/images/street.jpg'));
  fs.writeFileSync(path.join(dir, 'cut.jpg'), jpg.subarray(0, Math.floor(jpg.length * 0.6)));
  await hugePng(path.join(dir, 'huge.png'), 12000);
}, 180000);
afterAll(async () => fx?.stop());

it('refuses a text .png, a truncated JPEG and a 12000x12000 image at plan time, with zero ARM writes', async () => {
  await control(fx.testbed.settings, 'POST', '/reset-log');
  const run = await fx.run({
    'model-repository': 'samples/tao-detectnet-v2/model_repository',
    'model-name': 'DetectNet',
    'endpoint-name': 'detector',
    'clustering-config': 'samples/tao-detectnet-v2/clustering_config_detectnet.prototxt',
    'smoke-test-images': 'samples/tao-detectnet-v2/images/street.png\nsamples/bad-images/*',
  });
  expect(run.exitCode).toBe(1);
  expect(run.log).toMatch(/Input 'smoke-test-images': samples\/bad-images\/notes\.png: not a JPEG or PNG image/);
  expect(run.log).toMatch(/Input 'smoke-test-images': samples\/bad-images\/cut\.jpg: the JPEG file is truncated/);
  expect(run.log).toMatch(/Input 'smoke-test-images': samples\/bad-images\/huge\.png: the image is 12000x12000 pixels \(144\.0 MP\); expected at most 40 MP/);
  // Annotated on the file, as a reviewer sees it in the pull request.
  expect(run.log).toMatch(/^::error [^:]*file=samples\/bad-images\/cut\.jpg::/m);
  const requests = await control<{ method: string; url: string }[]>(fx.testbed.settings, 'GET', '/requests');
  const arm = requests.filter((r) => /\/subscriptions\//.test(r.url));
  expect(arm.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.url}`)).toEqual([]);
  const state = await fx.state();
  expect(state.endpoints).toEqual([]);
});
