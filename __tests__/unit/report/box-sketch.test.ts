import { boxMarker, sketchBoxes } from '../../../src/report/box-sketch';
import type { Detection } from '../../../src/smoke-test/detection';

const det = (x1: number, y1: number, x2: number, y2: number): Detection => ({ label: 'car', classId: 0, score: 0.9, box: { x1, y1, x2, y2 } });

it('outlines a box in the cells its corners fall in', () => {
  const rows = sketchBoxes({ width: 100, height: 100 }, [det(20, 20, 79, 99)], 10).split('\n');
  expect(rows).toHaveLength(5); // 10 columns, square image, characters twice as tall as wide
  expect(rows).toEqual(['··········', '··111111··', '··1····1··', '··1····1··', '··111111··']);
});

it('keeps boxes that reach or pass the image edge inside the sketch', () => {
  const rows = sketchBoxes({ width: 100, height: 50 }, [det(-10, -10, 200, 200)], 8).split('\n');
  expect(rows[0]).toBe('11111111');
  expect(rows.at(-1)).toBe('11111111');
  expect(rows.slice(1, -1).every((r) => r === '1······1')).toBe(true);
});

it('gives each box its own marker, later boxes drawn over earlier ones', () => {
  const sketch = sketchBoxes({ width: 64, height: 32 }, [det(0, 0, 40, 20), det(30, 10, 63, 31)], 64);
  expect(sketch).toContain('1');
  expect(sketch).toContain('2');
  expect(boxMarker(0)).toBe('1');
  expect(boxMarker(9)).toBe('A');
  expect(boxMarker(99)).toBe('#');
});
