// What every model family implements and takes: the family names, the served model's signature,
// the decode options and the ModelFamily interface. Imports no family, so the families and
// model-family.ts (which picks one) both import it without a cycle.

import { ClusteringConfig } from '../clustering-config';
import { Detection } from '../detection';
import { RgbImage } from '../rgb-image';
import { Scoring } from '../score-rule';
import { Tensor } from '../tensors';

export type FamilyId = 'detectnet_v2' | 'custom_vision_s1' | 'custom_vision_compact' | 'generic';

/** The one list of model-family names (input 'model-family' also takes 'auto'). */
export const FAMILY_IDS: readonly FamilyId[] = ['detectnet_v2', 'custom_vision_s1', 'custom_vision_compact', 'generic'];

/** The families a Custom Vision export is served as. */
export type CustomVisionFamily = Extract<FamilyId, `custom_vision_${string}`>;

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

export interface PixelConvention {
  pixelFormat: PixelFormat;
  pixelRange: PixelRange;
}

/**
 * Values of input 'custom-vision-xy-activation': how the compact export's tx/ty become a centre
 * inside its grid cell. 'sigmoid' as the export's own object_detection.py; 'none' as
 * Azure-Samples/customvision-export-samples' onnx/object_detection/predict.py.
 */
export const XY_ACTIVATIONS = ['sigmoid', 'none'] as const;
export type XyActivation = (typeof XY_ACTIVATIONS)[number];

/** What the smoke test needs to know about the model, from its source (labels, Custom Vision's pixels). */
export interface SmokeInputs {
  modelName: string;
  labels: string[];
  pixelFormat?: PixelFormat;
  pixelRange?: PixelRange;
  family?: CustomVisionFamily;
}

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
