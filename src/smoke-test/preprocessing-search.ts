// When a Custom Vision model finds nothing with the configured preprocessing, the other channel
// orders and value ranges are tried, so a mismatch can be told from a broken model. The verdict
// does not change (the deployed model, as configured, found nothing); the message names the fix.
// Why: docs/adr/010-custom-vision-preprocessing.md.

import { Detection } from './detection';
import { PixelConvention, otherConventions, preprocessingName } from './families/custom-vision-preprocessing';

export interface PreprocessingOutcome {
  /** A value of input 'custom-vision-preprocessing', e.g. 'rgb-0-255'. */
  preprocessing: string;
  /** Detections at or above the score threshold. */
  detections: number;
  best?: { label: string; score: number };
}

export interface PreprocessingSearch {
  /** What was sent, and where that choice came from. */
  configured: string;
  configuredFrom: 'input' | 'metadata' | 'default';
  /** Every other convention, in the order tried. */
  tried: PreprocessingOutcome[];
  /** The best one with at least min-detections: most detections, then the highest score. */
  working?: PreprocessingOutcome;
}

/** Scores the picture with the given convention: the detections at or above the threshold. */
export type ScoreWith = (c: PixelConvention) => Promise<Detection[]>;

export async function searchPreprocessing(
  configured: PixelConvention,
  configuredFrom: PreprocessingSearch['configuredFrom'],
  scoreWith: ScoreWith,
  minDetections: number,
): Promise<PreprocessingSearch> {
  const tried: PreprocessingOutcome[] = [];
  // One at a time: Azure ML serves one request per instance at a time by default.
  for (const c of otherConventions(configured)) tried.push(outcome(preprocessingName(c), await scoreWith(c)));
  const working = tried
    .filter((o) => o.detections >= Math.max(1, minDetections))
    .sort((a, b) => b.detections - a.detections || (b.best?.score ?? 0) - (a.best?.score ?? 0))[0];
  return { configured: preprocessingName(configured), configuredFrom, tried, working };
}

function outcome(preprocessing: string, detections: Detection[]): PreprocessingOutcome {
  const top = detections.reduce<Detection | undefined>((b, d) => (!b || d.score > b.score ? d : b), undefined);
  return { preprocessing, detections: detections.length, best: top && { label: top.label, score: top.score } };
}

/** "rgb-0-255 3 (best red 1.00), bgr-0-1 0": what each other preprocessing found. */
export function describeOutcomes(tried: readonly PreprocessingOutcome[]): string {
  return tried.map((o) => `${o.preprocessing} ${o.detections}${o.best ? ` (best ${o.best.label} ${o.best.score.toFixed(2)})` : ''}`).join(', ');
}

const FROM: Record<PreprocessingSearch['configuredFrom'], string> = {
  input: "set by input 'custom-vision-preprocessing'",
  metadata: "from the export's ONNX metadata",
  default: "the family's default; the export has no Image.* metadata",
};

/**
 * The advice for a failed smoke test from the searches of its failing images: the preprocessing
 * that works for most of them, or undefined when no search found one.
 */
export function preprocessingAdvice(searches: readonly PreprocessingSearch[]): string | undefined {
  const votes = new Map<string, number>();
  for (const s of searches) if (s.working) votes.set(s.working.preprocessing, (votes.get(s.working.preprocessing) ?? 0) + 1);
  const best = [...votes].sort((a, b) => b[1] - a[1])[0];
  if (!best) return undefined;
  const from = searches.find((s) => s.working?.preprocessing === best[0])!;
  return (
    `the model finds objects when the picture is sent as ${best[0]} instead of ${from.configured} (${FROM[from.configuredFrom]}): ` +
    `set input 'custom-vision-preprocessing' to '${best[0]}'`
  );
}
