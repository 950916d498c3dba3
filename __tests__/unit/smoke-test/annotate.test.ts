import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { annotate, classColor } from '../../../src/smoke-test/annotate';
import { decodeImage, encodePng } from '../../../src/smoke-test/image-codec';
import { RgbImage } from '../../../src/smoke-test/rgb-image';

const W = 60;
const H = 50;
const black = (): RgbImage => ({ width: W, height: H, data: new Uint8Array(W * H * 3) });
const px = (img: RgbImage, x: number, y: number) => [...img.data.subarray((y * W + x) * 3, (y * W + x) * 3 + 3)];

describe('annotate', () => {
  const detection = { label: 'car', classId: 0, score: 0.93, box: { x1: 10, y1: 20, x2: 40, y2: 45 } };

  it('draws the box edges in the class colour, 2 px wide, and leaves the inside alone', () => {
    const img = annotate(black(), [detection]);
    const green = [...classColor(0)];
    for (const [x, y] of [[10, 30], [11, 30], [39, 30], [38, 30], [25, 44], [25, 43], [25, 21]]) expect(px(img, x, y)).toEqual(green);
    for (const [x, y] of [[12, 30], [37, 30], [25, 42], [25, 30], [9, 30], [40, 30], [25, 45]]) expect(px(img, x, y)).toEqual([0, 0, 0]);
  });

  it('changes nothing outside the box outline and the label tag above it', () => {
    const img = annotate(black(), [detection]);
    // Tag: "car 0.93" = 8 glyphs of 6 px - 1 + 2 px padding = 49 wide, 7 + 2 = 9 high, just above y1.
    const inTag = (x: number, y: number) => x >= 10 && x < 10 + 49 && y >= 11 && y < 20;
    const onOutline = (x: number, y: number) =>
      x >= 10 && x <= 39 && y >= 20 && y <= 44 && (x <= 11 || x >= 38 || y <= 21 || y >= 43);
    let changed = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        if (px(img, x, y).some((v) => v !== 0)) {
          changed++;
          expect(inTag(x, y) || onOutline(x, y)).toBe(true);
        }
      }
    }
    expect(changed).toBeGreaterThan(100);
  });

  it('writes the label in ink that contrasts with the tag colour', () => {
    const img = annotate(black(), [detection]);
    // Inside the tag: the green fill and black letters, nothing else.
    const colours = new Set<string>();
    for (let y = 11; y < 20; y++) for (let x = 10; x < 59; x++) colours.add(px(img, x, y).join(','));
    expect([...colours].sort()).toEqual(['0,0,0', [...classColor(0)].join(',')].sort());
  });

  it('does not modify the input image and clips boxes that leave the picture', () => {
    const input = black();
    const img = annotate(input, [{ label: 'person', classId: 1, score: 0.5, box: { x1: -20, y1: -5, x2: 90, y2: 70 } }]);
    expect(input.data.every((v) => v === 0)).toBe(true);
    // The box is drawn along the image border; its tag sits inside the top edge.
    for (const [x, y] of [[30, 49], [0, 25], [59, 25], [30, 48]]) expect(px(img, x, y)).toEqual([...classColor(1)]);
    expect(px(img, 30, 30)).toEqual([0, 0, 0]);
    expect(img.data.length).toBe(W * H * 3);
  });

  it('uses a colour given for the label (e.g. TAO bbox_color)', () => {
    const img = annotate(black(), [detection], { colors: new Map([['car', [10, 20, 30] as const]]) });
    expect(px(img, 10, 30)).toEqual([10, 20, 30]);
  });

  it('produces a PNG that decodes to the same pixels', () => {
    const img = annotate(black(), [detection]);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'annotate-')), 'annotated.png');
    fs.writeFileSync(file, encodePng(img));
    expect(Buffer.from(decodeImage(fs.readFileSync(file), file).data).equals(Buffer.from(img.data))).toBe(true);
    fs.rmSync(path.dirname(file), { recursive: true });
  });
});
