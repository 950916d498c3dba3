// What a model family's detection scores mean and which threshold kept them: a DetectNet_v2 score
// is a summed coverage (it can exceed 1) judged by the clustering config, not by 'score-threshold'.
// The log, the failure message and the job summary all say it the same way.

export interface ScoreRule {
  labels: string[];
  /** 'score', 'summed coverage', ... */
  meaning: string;
  comparison: '>' | '≥';
  threshold: number;
  /** Where the threshold comes from: "input 'score-threshold'", "dbscan_confidence_threshold in clustering.prototxt". */
  origin: string;
  /** Lines of `origin`'s file that set it, one per label when known. */
  lines?: number[];
}

export interface Scoring {
  rules: ScoreRule[];
  /** What the "highest raw scores" of an image with no detection are. */
  rawMeaning: string;
  /** True when input 'score-threshold' decides; false when a clustering config does. */
  scoreThresholdDecides: boolean;
  /** What to change when an image has no detection. */
  lowerHint: string;
}

export function scoreThresholdScoring(threshold: number, meaning = 'score'): Scoring {
  return {
    rules: [{ labels: [], meaning, comparison: '≥', threshold, origin: "input 'score-threshold'" }],
    rawMeaning: 'raw scores',
    scoreThresholdDecides: true,
    lowerHint: "lower 'score-threshold' or check the model",
  };
}

/**
 * Rules with the same meaning, threshold and origin merged:
 * "score ≥ 0.5 (input 'score-threshold')" or
 * "car, cyclist: summed coverage > 0.9; pedestrian: summed coverage > 0.2 (dbscan_confidence_threshold in c.prototxt lines 10, 26, 42)".
 */
export function describeScoring(s: Scoring): string {
  const merged: ScoreRule[] = [];
  for (const r of s.rules) {
    const same = merged.find((m) => m.meaning === r.meaning && m.comparison === r.comparison && m.threshold === r.threshold && m.origin === r.origin);
    if (same) {
      same.labels = [...same.labels, ...r.labels];
      same.lines = [...(same.lines ?? []), ...(r.lines ?? [])];
    } else merged.push({ ...r, labels: [...r.labels], lines: [...(r.lines ?? [])] });
  }
  const origins = [...new Set(merged.map((r) => r.origin))];
  const lines = merged.flatMap((r) => r.lines ?? []).sort((a, b) => a - b);
  const where = `${origins.join(', ')}${lines.length ? ` line${lines.length > 1 ? 's' : ''} ${lines.join(', ')}` : ''}`;
  const parts = merged.map((r) => `${r.labels.length ? `${r.labels.join(', ')}: ` : ''}${r.meaning} ${r.comparison} ${r.threshold}`);
  return `${parts.join('; ')} (${where})`;
}

/** The rule that judged `label`'s scores. */
export function ruleFor(s: Scoring, label: string): ScoreRule | undefined {
  return s.rules.find((r) => r.labels.includes(label)) ?? s.rules.find((r) => r.labels.length === 0);
}
