import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UserInputError, UserInputErrors } from '../../../src/errors';
import { silentLog, type Log } from '../../../src/log';
import { loadDataset } from '../../../src/source/custom-vision/dataset/load-dataset';
import { sampleDatasetFiles } from '../../../testbed/custom-vision/sample-dataset';

const SAMPLE = path.resolve(__dirname, '../../../samples/custom-vision/dataset');
let tmp: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cv-dataset-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Coco {
  images: { id: number; file_name: string; width: number; height: number }[];
  annotations: { id: number; image_id: number; category_id: number; bbox: number[] }[];
  categories: { id: number; name: string }[];
}

/** A copy of the sample dataset with its COCO file changed by `edit`. */
function cocoCopy(edit: (coco: Coco, dir: string) => void = () => undefined): string {
  const dir = path.join(tmp, 'coco');
  fs.cpSync(SAMPLE, dir, { recursive: true });
  const coco = JSON.parse(fs.readFileSync(path.join(dir, 'annotations.json'), 'utf8')) as Coco;
  edit(coco, dir);
  fs.writeFileSync(path.join(dir, 'annotations.json'), JSON.stringify(coco, null, 1));
  return dir;
}

/** The sample dataset written as Pascal VOC: one XML per image next to the images. */
function vocCopy(): string {
  const dir = path.join(tmp, 'voc');
  fs.cpSync(path.join(SAMPLE, 'images'), dir, { recursive: true });
  const coco = JSON.parse(fs.readFileSync(path.join(SAMPLE, 'annotations.json'), 'utf8')) as Coco;
  for (const img of coco.images) {
    const objects = coco.annotations
      .filter((a) => a.image_id === img.id)
      .map((a) => {
        const [x, y, w, h] = a.bbox;
        const name = coco.categories.find((c) => c.id === a.category_id)!.name;
        return `  <object><name>${name}</name><difficult>0</difficult>\n    <bndbox><xmin>${x}</xmin><ymin>${y}</ymin><xmax>${x + w}</xmax><ymax>${y + h}</ymax></bndbox>\n  </object>`;
      });
    const xml = `<?xml version="1.0"?>\n<!-- made by the test -->\n<annotation>\n  <folder>voc</folder><filename>${img.file_name}</filename>\n  <size><width>${img.width}</width><height>${img.height}</height><depth>3</depth></size>\n${objects.join('\n')}\n</annotation>\n`;
    fs.writeFileSync(path.join(dir, img.file_name.replace(/\.png$/, '.xml')), xml);
  }
  return dir;
}

async function problemsOf(dir: string, format: 'auto' | 'coco' | 'voc' = 'auto'): Promise<UserInputError[]> {
  const err = await loadDataset(dir, format, silentLog).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err instanceof UserInputErrors) return err.problems;
  if (err instanceof UserInputError) return [err];
  throw new Error(`expected input errors, got ${String(err)}`);
}

describe('loadDataset', () => {
  it('reads the bundled COCO sample: 18 images, two tags, regions within 0..1', async () => {
    const ds = await loadDataset(SAMPLE, 'auto', silentLog);
    expect(ds.format).toBe('coco');
    expect(ds.tags).toEqual(['stop-sign', 'tree']);
    expect(ds.images).toHaveLength(18);
    const first = ds.images[0];
    expect(first.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(first).toMatchObject({ format: 'png', width: 288, height: 256 });
    for (const r of ds.images.flatMap((i) => i.regions)) {
      expect(r.left + r.width).toBeLessThanOrEqual(1);
      expect(r.top + r.height).toBeLessThanOrEqual(1);
    }
  });

  it('gives identical normalized regions for the same boxes in COCO and in Pascal VOC', async () => {
    const coco = await loadDataset(SAMPLE, 'coco', silentLog);
    const voc = await loadDataset(vocCopy(), 'auto', silentLog);
    expect(voc.format).toBe('voc');
    const byHash = (ds: typeof coco) => Object.fromEntries(ds.images.map((i) => [i.sha256, i.regions]));
    expect(byHash(voc)).toEqual(byHash(coco));
  });

  it('matches the committed sample byte for byte (the generator is deterministic)', () => {
    const files = sampleDatasetFiles();
    for (const [rel, bytes] of Object.entries(files)) {
      expect(fs.readFileSync(path.join(SAMPLE, '..', rel)).equals(bytes)).toBe(true);
    }
    const total = Object.values(files).reduce((n, b) => n + b.length, 0);
    expect(total).toBeLessThan(1.5 * 1024 * 1024);
  });

  const cases: [string, (coco: Coco, dir: string) => void, RegExp, string][] = [
    ['a missing image', (c) => (c.images[2].file_name = 'gone.png'), /image "gone\.png" not found/, 'annotations.json'],
    ['a file that is not an image', (c, d) => fs.writeFileSync(path.join(d, 'images', c.images[1].file_name), 'II*\0 tiff-ish'), /not a JPEG, PNG, BMP or GIF image \(first bytes: 49 49 2a 00/, 'street-02.png'],
    ['a file over 6 MB', (c, d) => fs.writeFileSync(path.join(d, 'images', c.images[3].file_name), Buffer.alloc(6 * 1024 * 1024 + 1)), /6\.0 MB; Custom Vision accepts training images up to 6 MB/, 'street-04.png'],
    ['a box outside the image', (c) => (c.annotations[0].bbox = [250, 10, 80, 40]), /box in "street-01\.png" \(x 250\.\.330, y 10\.\.50\) lies outside the 288x256 image/, 'annotations.json'],
    ['an empty box', (c) => (c.annotations[1].bbox = [10, 10, 0, 30]), /is empty \(0x30 pixels\)/, 'annotations.json'],
    ['an unknown category', (c) => (c.annotations[2].category_id = 9), /annotations\[2\] refers to category_id 9, which is not in "categories"/, 'annotations.json'],
    ['a declared size that differs from the file', (c) => (c.images[0].width = 640), /declared 640x256 but the file .* is 288x256 pixels/, 'annotations.json'],
    ['a tag on fewer than 15 images', (c) => (c.annotations = c.annotations.filter((a) => !(a.category_id === 2 && a.image_id <= 3))), /tag "tree" is on \d+ image\(s\); Custom Vision object detection needs at least 15/, 'annotations.json'],
  ];
  it.each(cases)('reports %s, naming the file', async (_, edit, message, file) => {
    const problems = await problemsOf(cocoCopy(edit));
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toMatch(message);
    expect(path.basename(problems[0].where.file ?? '')).toBe(file);
  });

  it('names the line of a bad annotation in the COCO file', async () => {
    const problems = await problemsOf(cocoCopy((c) => (c.annotations[5].image_id = 999)));
    const text = fs.readFileSync(path.join(tmp, 'coco', 'annotations.json'), 'utf8').split('\n');
    const line = problems[0].where.line!;
    expect(text.slice(line - 1, line + 3).join('\n')).toContain('"image_id": 999');
  });

  it('reports every problem at once', async () => {
    const problems = await problemsOf(
      cocoCopy((c) => {
        c.images[2].file_name = 'gone.png';
        c.annotations[0].bbox = [-50, 0, 10, 10];
      }),
    );
    expect(problems).toHaveLength(2);
    expect(problems.map((p) => p.message)).toEqual(
      expect.arrayContaining([expect.stringContaining('lies outside'), expect.stringContaining('image "gone.png" not found')]),
    );
  });

  it('reports a JSON syntax error with its line', async () => {
    const dir = path.join(tmp, 'broken');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'annotations.json'), '{\n  "images": [],\n  "annotations": [,]\n}\n');
    const [problem] = await problemsOf(dir);
    expect(problem.message).toMatch(/annotations\.json:3: not valid JSON \(ValueExpected at character 37\); expected COCO annotations$/);
    expect(problem.message).not.toMatch(/Unexpected token|in JSON at position/);
    expect(problem.where.line).toBe(3);
  });

  it('reports malformed VOC XML with the file and line', async () => {
    const dir = vocCopy();
    fs.writeFileSync(path.join(dir, 'street-03.xml'), '<annotation>\n<filename>street-03.png</filename>\n<object><name>tree</name>\n</annotation>\n');
    const problems = await problemsOf(dir);
    expect(problems[0].message).toMatch(/street-03\.xml:4: not well-formed XML: Unexpected close tag; <object> opened on line 3 is not closed/);
    expect(problems[0].where).toMatchObject({ line: 4 });
  });

  it('rejects a character reference past U+10FFFF in VOC XML with the file and line, not a RangeError', async () => {
    const dir = vocCopy();
    fs.writeFileSync(path.join(dir, 'street-03.xml'), '<annotation>\n<filename>street-03&#99999999;.png</filename>\n</annotation>\n');
    const problems = await problemsOf(dir);
    expect(problems[0]).toBeInstanceOf(UserInputError);
    expect(problems[0].message).toMatch(/street-03\.xml:2: not well-formed XML: Invalid character entity/);
  });

  it('warns about, but accepts, images under 256 pixels', async () => {
    const dir = cocoCopy((c, d) => {
      const src = fs.readFileSync(path.join(d, 'images', c.images[0].file_name));
      // Same PNG with a smaller IHDR height: the header is all the size check reads.
      src.writeUInt32BE(200, 20);
      fs.writeFileSync(path.join(d, 'images', c.images[0].file_name), src);
      c.images[0].height = 200;
      c.annotations.filter((a) => a.image_id === 1).forEach((a) => (a.bbox[1] = Math.min(a.bbox[1], 200 - a.bbox[3])));
    });
    const warnings: string[] = [];
    const log: Log = { ...silentLog, warning: (m) => warnings.push(m) };
    const ds = await loadDataset(dir, 'coco', log);
    expect(ds.images).toHaveLength(18);
    expect(warnings).toEqual([expect.stringMatching(/street-01\.png: 288x200 pixels is under Custom Vision's 256-pixel minimum side/)]);
  });

  it('says which input to fix when the folder has no annotations', async () => {
    const [problem] = await problemsOf(tmp);
    expect(problem.where.input).toBe('custom-vision-dataset');
    expect(problem.message).toMatch(/has no COCO \*\.json or Pascal VOC \*\.xml annotations/);
  });
});
