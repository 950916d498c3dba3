// A model family knows one kind of detection model's tensors: how to turn a picture into its
// input and its outputs into detections. pickFamily chooses one from the served model's metadata.

import { UserInputError } from '../../errors';
import { ClusteringConfig } from '../clustering-config';
import { Detection } from '../detection';
import { RgbImage } from '../rgb-image';
import { Scoring } from '../score-rule';
import { Tensor } from '../tensors';
import { customVisionCompactFamily } from './custom-vision-compact';
import type { PixelConvention, XyActivation } from './custom-vision-preprocessing';
import { customVisionS1Family } from './custom-vision-s1';
import { detectNetV2Family } from './detectnet-v2';
import { genericFamily, genericSettingsProblem } from './generic';

export type FamilyId = 'detectnet_v2' | 'custom_vision_s1' | 'custom_vision_compact' | 'generic';

export const FAMILY_IDS: readonly FamilyId[] = ['detectnet_v2', 'custom_vision_s1', 'custom_vision_compact', 'generic'];

export interface TensorSignature {
  name: string;
  datatype: string;
  shape: number[];
}

/** From KServe model metadata: shapes include the batch dimension as -1 when Triton batches. */
export interface ModelSignature {
  name: string;
  inputs: TensorSignature[];
  outputs: TensorSignature[];
}

export type PixelFormat = 'Rgb8' | 'Bgr8';
export type PixelRange = '0_255' | '0_1' | '-1_1';

export interface GenericModelSettings {
  input: string;
  boxes: string;
  scores: string;
  classes: string;
  /** Normalized to [0,1], or pixels of the model input. */
  boxFormat: 'xyxy_normalized' | 'xyxy_pixels';
  scale: '0_1' | '0_255';
  pixelFormat: PixelFormat;
}

export interface DecodeOptions {
  scoreThreshold: number;
  labels: string[];
  /** DetectNet_v2 only; TAO's defaults for every label when absent. */
  clustering?: ClusteringConfig;
  /** Custom Vision: from the ONNX metadata Image.BitmapPixelFormat / Image.NominalPixelRange. */
  pixelFormat?: PixelFormat;
  pixelRange?: PixelRange;
  /** Custom Vision compact: how tx/ty become the centre in a cell; 'sigmoid' when absent. */
  xyActivation?: XyActivation;
  generic?: GenericModelSettings;
}

export interface DecodeResult {
  detections: Detection[];
  /** The best 5 raw candidate scores before thresholding: tells a threshold problem from a broken model. */
  topRawScores: { label: string; score: number }[];
}

export interface PreparedRequest {
  inputs: Tensor[];
  outputNames: string[];
  /** What the scores mean and which threshold applies; absent: plain scores against 'score-threshold'. */
  scoring?: Scoring;
  decode(outputs: Tensor[]): DecodeResult;
}

export interface ModelFamily {
  id: FamilyId;
  /** What the family's tensors look like, for error messages. */
  expects: string;
  matches(sig: ModelSignature): boolean;
  /** How many classes the outputs imply, when their shapes tell (checked against the labels before deploying). */
  classCount?(sig: ModelSignature): number | undefined;
  /**
   * Custom Vision only: the convention sent when DecodeOptions names none. Families that have it
   * take pixelFormat / pixelRange, and the smoke test may try the others (preprocessing-search.ts).
   */
  defaultPixels?: PixelConvention;
  prepare(image: RgbImage, sig: ModelSignature, opts: DecodeOptions): PreparedRequest;
}

const AUTO_FAMILIES: readonly ModelFamily[] = [detectNetV2Family, customVisionS1Family, customVisionCompactFamily];

/**
 * The family to use: the requested one (checked against the model), or with 'auto' the first whose
 * signature matches, then 'generic' when generic settings are given.
 * @throws UserInputError (input 'model-family') saying what the model's tensors look like.
 */
export function pickFamily(sig: ModelSignature, requested: FamilyId | 'auto', opts: DecodeOptions): ModelFamily {
  if (requested === 'generic' || (requested === 'auto' && opts.generic && !AUTO_FAMILIES.some((f) => f.matches(sig)))) {
    const problem = genericSettingsProblem(sig, opts.generic);
    if (problem) {
      throw new UserInputError(`model-family is 'generic' but ${problem}. The model has ${describeSignature(sig)}`, {
        input: 'model-family',
      });
    }
    return genericFamily;
  }
  if (requested === 'auto') {
    const found = AUTO_FAMILIES.find((f) => f.matches(sig));
    if (found) return found;
    throw new UserInputError(
      `model-family 'auto' found no known family for model '${sig.name}', which has ${describeSignature(sig)}. ` +
        `Known families: ${AUTO_FAMILIES.map((f) => `${f.id} (${f.expects})`).join('; ')}; ` +
        "or set model-family to 'generic' and name the input, boxes, scores and classes tensors",
      { input: 'model-family' },
    );
  }
  const family = AUTO_FAMILIES.find((f) => f.id === requested);
  if (!family) {
    throw new UserInputError(`model-family is '${String(requested)}'; expected one of auto, ${FAMILY_IDS.join(', ')}`, {
      input: 'model-family',
    });
  }
  if (!family.matches(sig)) {
    throw new UserInputError(
      `model-family is '${family.id}' but model '${sig.name}' does not look like one: expected ${family.expects}; ` +
        `the model has ${describeSignature(sig)}`,
      { input: 'model-family' },
    );
  }
  return family;
}

export function describeSignature(sig: ModelSignature): string {
  const list = (ts: TensorSignature[]): string =>
    ts.length ? ts.map((t) => `${t.name} ${t.datatype} [${t.shape.join(',')}]`).join(', ') : 'none';
  return `inputs: ${list(sig.inputs)}; outputs: ${list(sig.outputs)}`;
}
