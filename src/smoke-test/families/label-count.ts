/**
 * Labels against the model's class count, from the model configuration alone: a labels file that
 * does not fit the model is refused at plan time, before any Azure call, not after the deploy.
 */
import { quoteLabels } from '../../config/labels-file';
import { UserInputError } from '../../errors';
import type { TritonModel } from '../../model-repository/triton-model';
import type { FamilyId, ModelSignature } from './family-contract';
import { pickFamily } from './model-family';

/** config.pbtxt's view of the model as Triton's metadata will show it (batch dimension -1, 'FP32' not 'TYPE_FP32'). */
export function signatureFromConfig(model: TritonModel): ModelSignature {
  const shape = (dims: number[]) => (model.maxBatchSize > 0 ? [-1, ...dims] : dims);
  const tensors = (ts: TritonModel['inputs']) => ts.map((t) => ({ name: t.name, datatype: t.dataType.replace(/^TYPE_/, ''), shape: shape(t.dims) }));
  return { name: model.name, inputs: tensors(model.inputs), outputs: tensors(model.outputs) };
}

/**
 * @param labelsFrom where the labels came from, for the message (an input or a file).
 * @throws UserInputError when the family is known from the config and the counts differ.
 */
export function checkLabelCount(model: TritonModel | undefined, family: FamilyId | 'auto', labels: readonly string[], labelsFrom: { shown: string; input?: string; file?: string }): void {
  if (!model || labels.length === 0 || family === 'generic' || model.outputs.length === 0) return;
  const sig = signatureFromConfig(model);
  let classes: number | undefined;
  try {
    classes = pickFamily(sig, family, { scoreThreshold: 0.5, labels: [...labels] }).classCount?.(sig);
  } catch {
    return; // The family is decided from the served model's metadata; the smoke test reports it.
  }
  if (classes === undefined || classes === labels.length) return;
  throw new UserInputError(
    `${labelsFrom.shown} lists ${labels.length} labels (${quoteLabels(labels)}) but model '${model.name}' (${model.configFile}) has ${classes} classes; ` +
      'expected one label per class, in the order the model was trained with.',
    { input: labelsFrom.input, file: labelsFrom.file },
  );
}
