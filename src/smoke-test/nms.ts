import { Box } from './detection';
import { iou } from './iou';

export interface ScoredBox {
  box: Box;
  score: number;
}

/**
 * Greedy non-maximum suppression: keeps the best box, drops every remaining box whose IoU with it
 * is above `iouThreshold`, repeats. Returns the indices kept, best first.
 */
export function nonMaximumSuppression(items: readonly ScoredBox[], iouThreshold: number, maxKept = Infinity): number[] {
  const order = items.map((_, i) => i).sort((a, b) => items[b].score - items[a].score);
  const suppressed = new Uint8Array(items.length);
  const kept: number[] = [];
  for (let oi = 0; oi < order.length && kept.length < maxKept; oi++) {
    const i = order[oi];
    if (suppressed[i]) continue;
    kept.push(i);
    for (let oj = oi + 1; oj < order.length; oj++) {
      const j = order[oj];
      if (!suppressed[j] && iou(items[i].box, items[j].box) > iouThreshold) suppressed[j] = 1;
    }
  }
  return kept;
}
