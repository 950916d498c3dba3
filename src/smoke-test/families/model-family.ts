// A model family knows one kind of detection model's tensors: how to turn a picture into its
// input and its outputs into detections. pickFamily chooses one from the served model's metadata.

import { UserInputError } from '../../errors';
import { customVisionCompactFamily } from './custom-vision-compact';
import { customVisionS1Family } from './custom-vision-s1';
import { detectNetV2Family } from './detectnet-v2';
import { FAMILY_IDS, type DecodeOptions, type FamilyId, type ModelFamily, type ModelSignature, type TensorSignature } from './family-contract';
import { genericFamily, genericSettingsProblem } from './generic';

export {
  FAMILY_IDS,
  type CustomVisionFamily,
  type DecodeOptions,
  type DecodeResult,
  type FamilyId,
  type GenericModelSettings,
  type ModelFamily,
  type ModelSignature,
  type PixelFormat,
  type PixelRange,
  type PreparedRequest,
  type SmokeInputs,
  type TensorSignature,
} from './family-contract';

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
