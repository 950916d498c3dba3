// Draws detections on a copy of the picture for the job summary: a box per detection in its
// class's colour and a filled tag "label 0.93" above it, everything clipped to the image.

import { GLYPH_HEIGHT, GLYPH_WIDTH, glyph } from './bitmap-font';
import { Detection } from './detection';
import { RgbImage } from './rgb-image';

export type Rgb = readonly [number, number, number];

export interface AnnotateOptions {
  /** Box line width in pixels; 2 on small images, 3 from 600 px up. */
  lineWidth?: number;
  /** Font pixel size multiplier; grows with the image so the tag stays readable. */
  fontScale?: number;
  /** Colour per label (e.g. TAO's bbox_color); others come from a fixed palette by class id. */
  colors?: ReadonlyMap<string, Rgb>;
}

/** Distinct, saturated colours that read on photos; by class id, repeating. */
const PALETTE: readonly Rgb[] = [
  [0, 255, 0],
  [255, 56, 56],
  [0, 194, 255],
  [255, 178, 29],
  [207, 0, 255],
  [255, 255, 0],
  [0, 255, 170],
  [255, 112, 200],
  [132, 110, 255],
  [255, 140, 0],
];

export function classColor(classId: number): Rgb {
  return PALETTE[((classId % PALETTE.length) + PALETTE.length) % PALETTE.length];
}

export function annotate(image: RgbImage, detections: readonly Detection[], opts: AnnotateOptions = {}): RgbImage {
  const out: RgbImage = { width: image.width, height: image.height, data: Uint8Array.from(image.data) };
  const short = Math.min(image.width, image.height);
  const lineWidth = opts.lineWidth ?? (short >= 600 ? 3 : 2);
  const scale = opts.fontScale ?? Math.min(4, Math.floor(short / 250) + 1);
  // Boxes first, then tags, so a tag is never crossed by another box's line.
  for (const d of detections) drawBoxOutline(out, d, colorOf(d, opts), lineWidth);
  for (const d of detections) drawTag(out, d, colorOf(d, opts), scale);
  return out;
}

function colorOf(d: Detection, opts: AnnotateOptions): Rgb {
  return opts.colors?.get(d.label) ?? classColor(d.classId);
}

function fillRect(img: RgbImage, x1: number, y1: number, x2: number, y2: number, color: Rgb): void {
  const left = Math.max(0, x1);
  const top = Math.max(0, y1);
  const right = Math.min(img.width - 1, x2);
  const bottom = Math.min(img.height - 1, y2);
  for (let y = top; y <= bottom; y++) {
    let p = (y * img.width + left) * 3;
    for (let x = left; x <= right; x++) {
      img.data[p++] = color[0];
      img.data[p++] = color[1];
      img.data[p++] = color[2];
    }
  }
}

/** The pixel columns/rows a box covers, inclusive, clamped so a box past the border shows on it. */
function pixelBox(d: Detection, img: RgbImage): { x1: number; y1: number; x2: number; y2: number } {
  const clampX = (v: number) => Math.min(Math.max(Math.round(v), 0), img.width);
  const clampY = (v: number) => Math.min(Math.max(Math.round(v), 0), img.height);
  const x1 = Math.min(clampX(d.box.x1), img.width - 1);
  const y1 = Math.min(clampY(d.box.y1), img.height - 1);
  return { x1, y1, x2: Math.max(x1, clampX(d.box.x2) - 1), y2: Math.max(y1, clampY(d.box.y2) - 1) };
}

function drawBoxOutline(img: RgbImage, d: Detection, color: Rgb, t: number): void {
  const b = pixelBox(d, img);
  fillRect(img, b.x1, b.y1, b.x2, b.y1 + t - 1, color); // top
  fillRect(img, b.x1, b.y2 - t + 1, b.x2, b.y2, color); // bottom
  fillRect(img, b.x1, b.y1, b.x1 + t - 1, b.y2, color); // left
  fillRect(img, b.x2 - t + 1, b.y1, b.x2, b.y2, color); // right
}

export function tagText(d: Detection): string {
  return `${d.label} ${d.score.toFixed(2)}`;
}

function drawTag(img: RgbImage, d: Detection, color: Rgb, s: number): void {
  const text = tagText(d);
  const pad = s;
  const w = text.length * (GLYPH_WIDTH + 1) * s - s + 2 * pad;
  const h = GLYPH_HEIGHT * s + 2 * pad;
  const b = pixelBox(d, img);
  // Above the box when it fits, otherwise just inside its top edge; kept inside the image sideways.
  const top = b.y1 - h >= 0 ? b.y1 - h : b.y1;
  const left = Math.max(0, Math.min(b.x1, img.width - w));
  fillRect(img, left, top, left + w - 1, top + h - 1, color);
  const luminance = 0.299 * color[0] + 0.587 * color[1] + 0.114 * color[2];
  const ink: Rgb = luminance > 140 ? [0, 0, 0] : [255, 255, 255];
  let x = left + pad;
  for (const ch of text) {
    const rows = glyph(ch);
    for (let r = 0; r < GLYPH_HEIGHT; r++) {
      for (let c = 0; c < GLYPH_WIDTH; c++) {
        if (rows[r] & (0x10 >> c)) {
          const px = x + c * s;
          const py = top + pad + r * s;
          fillRect(img, px, py, px + s - 1, py + s - 1, ink);
        }
      }
    }
    x += (GLYPH_WIDTH + 1) * s;
  }
}
