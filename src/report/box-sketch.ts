/**
 * A text sketch of where the detected boxes lie in an image, for the job summary: GitHub's
 * summary cannot show the annotated PNGs themselves (its Markdown sanitizer drops `data:` image
 * sources, and artifact links download a zip), but a <pre> block renders everywhere.
 */
import type { Detection } from '../smoke-test/detection';

/** 1-9, then A-Z: one character per box, so overlapping outlines stay apart. */
const MARKERS = '123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const BACKGROUND = '·';

export function boxMarker(index: number): string {
  return MARKERS[index] ?? '#';
}

/**
 * `columns` characters wide; rows follow the image's aspect ratio with characters about twice as tall
 * as wide. Each box is outlined with its marker; later boxes draw over earlier ones.
 */
export function sketchBoxes(size: { width: number; height: number }, detections: readonly Detection[], columns = 64): string {
  const rows = Math.min(40, Math.max(4, Math.round((columns * size.height) / size.width / 2)));
  const grid = Array.from({ length: rows }, () => Array<string>(columns).fill(BACKGROUND));
  const cell = (v: number, pixels: number, cells: number) => Math.min(cells - 1, Math.max(0, Math.floor((v / pixels) * cells)));
  detections.forEach((d, i) => {
    const marker = boxMarker(i);
    const [c1, c2] = [cell(d.box.x1, size.width, columns), cell(d.box.x2, size.width, columns)];
    const [r1, r2] = [cell(d.box.y1, size.height, rows), cell(d.box.y2, size.height, rows)];
    for (let c = c1; c <= c2; c++) grid[r1][c] = grid[r2][c] = marker;
    for (let r = r1; r <= r2; r++) grid[r][c1] = grid[r][c2] = marker;
  });
  return grid.map((row) => row.join('')).join('\n');
}
