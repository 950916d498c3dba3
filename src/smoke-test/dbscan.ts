/**
 * DBSCAN over a precomputed distance, with sample weights, as scikit-learn's DBSCAN does it
 * (https://scikit-learn.org/stable/modules/generated/sklearn.cluster.DBSCAN.html):
 * a point's neighbourhood is every point within `eps` (itself included), and it is a core point
 * when the neighbourhood's weights sum to at least `minSamples`. Points are visited in order;
 * a border point joins the first cluster that reaches it.
 * Returns a cluster id per point (0, 1, ...) or -1 for noise.
 */
export function dbscan(
  count: number,
  distance: (i: number, j: number) => number,
  eps: number,
  minSamples: number,
  weights?: ArrayLike<number>,
): Int32Array {
  const neighbours: number[][] = [];
  const isCore = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const near: number[] = [];
    let weight = 0;
    for (let j = 0; j < count; j++) {
      if (i === j || distance(i, j) <= eps) {
        near.push(j);
        weight += weights ? weights[j] : 1;
      }
    }
    neighbours.push(near);
    isCore[i] = weight >= minSamples ? 1 : 0;
  }

  const labels = new Int32Array(count).fill(-1);
  let next = 0;
  for (let i = 0; i < count; i++) {
    if (labels[i] !== -1 || !isCore[i]) continue;
    const stack = [i];
    labels[i] = next;
    while (stack.length > 0) {
      const p = stack.pop()!;
      if (!isCore[p]) continue;
      for (const q of neighbours[p]) {
        if (labels[q] === -1) {
          labels[q] = next;
          stack.push(q);
        }
      }
    }
    next++;
  }
  return labels;
}
