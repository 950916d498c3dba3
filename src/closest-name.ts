// Levenshtein distance and the nearest name, for "did you mean" hints (config inputs, YAML fields, config.pbtxt, quota families).
/** Levenshtein distance (insert, delete, substitute each cost 1). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The candidate the user most likely meant, for a "did you mean" hint: the nearest by edit
 * distance (case-insensitive) within a third of the name's length, or one that contains the
 * name or is contained in it (`max_batch` -> `max_batch_size`). Undefined when nothing is close.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const wanted = name.toLowerCase();
  let best: { candidate: string; score: number } | undefined;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    const distance = editDistance(wanted, c);
    const contains = wanted.length >= 3 && (c.includes(wanted) || wanted.includes(c));
    const limit = Math.max(2, Math.floor(wanted.length / 3));
    if (distance > limit && !contains) continue;
    const score = contains ? Math.min(distance, limit) : distance;
    if (!best || score < best.score) best = { candidate, score };
  }
  return best?.candidate;
}
