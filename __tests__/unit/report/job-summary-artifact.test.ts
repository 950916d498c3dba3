import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PNG } from 'pngjs';
import { describeArtifact, describePreprocessingSearch, detectionRows, pngSize } from '../../../src/report/job-summary';

it('links the uploaded artifact and counts what is in it', () => {
  const line = describeArtifact({ state: 'uploaded', artifact: { id: 7, name: 'smoke-test-ep', url: 'https://github.com/o/r/actions/runs/1/artifacts/7', files: ['a.annotated.png', 'b.annotated.png', 'plan.json'], zipBytes: 4096 } });
  expect(line).toBe('<p>📦 Artifact <a href="https://github.com/o/r/actions/runs/1/artifacts/7"><b>smoke-test-ep</b></a>: 2 annotated image(s) and plan.json, 4 KiB zipped.</p>');
});

it('names only plan.json when no image was written yet', () => {
  const line = describeArtifact({ state: 'uploaded', artifact: { id: 8, name: 'n', url: 'u', files: ['plan.json'], zipBytes: 900 } });
  expect(line).toContain('<b>n</b></a>: plan.json, 1 KiB zipped.');
});

it('says where the files are when the upload failed, and nothing when it was skipped', () => {
  expect(describeArtifact({ state: 'failed', reason: 'Failed request: (403) <denied>', dir: '/tmp/out' })).toContain('(Failed request: (403) &lt;denied&gt;); they are in <code>/tmp/out</code>');
  expect(describeArtifact({ state: 'skipped', reason: 'not on GitHub' })).toBeUndefined();
  expect(describeArtifact(undefined)).toBeUndefined();
});

it('reads a PNG size from its header, and nothing from other files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'png-size-'));
  const file = path.join(dir, 'x.png');
  fs.writeFileSync(file, PNG.sync.write(new PNG({ width: 37, height: 11 })));
  expect(pngSize(file)).toEqual({ width: 37, height: 11 });
  fs.writeFileSync(path.join(dir, 'y.png'), 'not a png at all, not even close');
  expect(pngSize(path.join(dir, 'y.png'))).toBeUndefined();
  expect(pngSize(path.join(dir, 'missing.png'))).toBeUndefined();
});

it('shows each detection score with its meaning and the threshold that kept it', () => {
  const img = {
    image: '/i/street.png',
    detections: [
      { label: 'pedestrian', classId: 2, score: 0.3125, box: { x1: 59, y1: 5, x2: 159, y2: 105 } },
      { label: 'bus', classId: 3, score: 0.7, box: { x1: 0, y1: 0, x2: 10, y2: 10 } },
    ],
    topRawScores: [],
    annotatedPng: '/o/street.png.annotated.png',
    durationMs: 3,
  };
  const scoring = {
    rules: [{ labels: ['pedestrian'], meaning: 'summed coverage', comparison: '>' as const, threshold: 0.2, origin: 'dbscan_confidence_threshold in c.prototxt', lines: [45] }],
    rawMeaning: 'cell coverages',
    scoreThresholdDecides: false,
    lowerHint: '',
  };
  expect(detectionRows(img, scoring)).toEqual([
    ['1', 'pedestrian', '0.313 (summed coverage)', '&gt; 0.2, dbscan_confidence_threshold in c.prototxt', '59, 5, 159, 105'],
    ['2', 'bus', '0.700', '', '0, 0, 10, 10'],
  ]);
});

it('names the Custom Vision preprocessing that works and the input to set', () => {
  const line = describePreprocessingSearch({
    configured: 'rgb-0-1',
    configuredFrom: 'metadata',
    tried: [
      { preprocessing: 'rgb-0-255', detections: 2, best: { label: 'red', score: 0.97 } },
      { preprocessing: 'bgr-0-1', detections: 0 },
    ],
    working: { preprocessing: 'rgb-0-255', detections: 2, best: { label: 'red', score: 0.97 } },
  });
  expect(line).toBe(
    '<p>Sent as <code>rgb-0-1</code> (metadata); other preprocessings find: rgb-0-255 2 (best red 0.97), bgr-0-1 0. <b>Set <code>custom-vision-preprocessing: rgb-0-255</code></b>.</p>',
  );
  expect(describePreprocessingSearch({ configured: 'rgb-0-255', configuredFrom: 'default', tried: [{ preprocessing: 'bgr-0-1', detections: 0 }] })).not.toContain('Set');
});
