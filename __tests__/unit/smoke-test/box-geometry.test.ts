import { dbscan } from '../../../src/smoke-test/dbscan';
import { iou } from '../../../src/smoke-test/iou';
import { nonMaximumSuppression } from '../../../src/smoke-test/nms';

const box = (x1: number, y1: number, x2: number, y2: number) => ({ x1, y1, x2, y2 });

describe('iou', () => {
  it.each([
    ['identical boxes', box(0, 0, 10, 10), box(0, 0, 10, 10), 1],
    ['disjoint boxes', box(0, 0, 10, 10), box(20, 20, 30, 30), 0],
    ['touching edges', box(0, 0, 10, 10), box(10, 0, 20, 10), 0],
    ['half overlap', box(0, 0, 10, 10), box(5, 0, 15, 10), 50 / 150],
    ['one inside the other', box(0, 0, 10, 10), box(0, 0, 5, 5), 25 / 100],
    ['empty boxes', box(3, 3, 3, 3), box(3, 3, 3, 3), 0],
  ])('%s', (_name, a, b, expected) => {
    expect(iou(a, b)).toBeCloseTo(expected, 10);
    expect(iou(b, a)).toBeCloseTo(expected, 10);
  });
});

describe('nonMaximumSuppression', () => {
  it('drops a lower-scored box overlapping a kept one and keeps a distant one, best first', () => {
    const items = [
      { box: box(1, 0, 11, 10), score: 0.8 }, // IoU with the best: 90/110 = 0.82
      { box: box(20, 20, 30, 30), score: 0.7 },
      { box: box(0, 0, 10, 10), score: 0.9 },
    ];
    expect(nonMaximumSuppression(items, 0.45)).toEqual([2, 1]);
  });

  it('keeps a box whose IoU equals the threshold (suppression is strictly above)', () => {
    const items = [
      { box: box(0, 0, 10, 10), score: 0.9 },
      { box: box(5, 0, 15, 10), score: 0.8 }, // IoU 1/3
    ];
    expect(nonMaximumSuppression(items, 1 / 3)).toEqual([0, 1]);
    expect(nonMaximumSuppression(items, 0.3)).toEqual([0]);
  });

  it('a suppressed box does not suppress others', () => {
    // B overlaps A (suppressed by A); C overlaps B but not A, so C survives.
    const items = [
      { box: box(0, 0, 10, 10), score: 0.9 },
      { box: box(4, 0, 14, 10), score: 0.8 },
      { box: box(9, 0, 19, 10), score: 0.7 },
    ];
    expect(nonMaximumSuppression(items, 0.3)).toEqual([0, 2]);
  });

  it('stops at maxKept', () => {
    const items = [0, 1, 2].map((i) => ({ box: box(i * 20, 0, i * 20 + 10, 10), score: i }));
    expect(nonMaximumSuppression(items, 0.5, 2)).toEqual([2, 1]);
  });
});

describe('dbscan', () => {
  const line = (xs: number[]) => (i: number, j: number) => Math.abs(xs[i] - xs[j]);

  it('groups chains of close points and marks isolated ones as noise', () => {
    const xs = [0, 0.5, 1.2, 5, 5.8, 10];
    expect([...dbscan(xs.length, line(xs), 1, 2)]).toEqual([0, 0, 0, 1, 1, -1]);
  });

  it('attaches border points (not core) to the cluster that reaches them', () => {
    const xs = [0, 0.9, 1.8, 2.7];
    // Neighbourhoods (eps 1, self included): 2, 3, 3, 2 points; min_samples 3 makes 0.9 and 1.8 core.
    expect([...dbscan(xs.length, line(xs), 1, 3)]).toEqual([0, 0, 0, 0]);
  });

  it('counts a point in its own neighbourhood and includes points at exactly eps', () => {
    const xs = [0, 1];
    expect([...dbscan(2, line(xs), 1, 2)]).toEqual([0, 0]);
    expect([...dbscan(2, line(xs), 0.99, 2)]).toEqual([-1, -1]);
  });

  it('compares summed sample weights with min_samples, as TAO passes coverage weights', () => {
    const xs = [0, 0.5, 10];
    expect([...dbscan(3, line(xs), 1, 0.05, [0.02, 0.02, 0.06])]).toEqual([-1, -1, 0]);
    expect([...dbscan(3, line(xs), 1, 0.05, [0.03, 0.02, 0.01])]).toEqual([0, 0, -1]);
  });
});
