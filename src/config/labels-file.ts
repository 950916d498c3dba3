/**
 * A labels file: one class name per line, in class-index order (Triton's label_filename, TAO's
 * labels.txt, Custom Vision's export). Read with a size limit and checked line by line, so a wrong
 * file (an image, a log) is refused by name before any Azure call instead of being quoted whole later.
 */
import { UserInputError, type ProblemLocation } from '../errors';
import { LABELS_LIMITS, quoteValue, readLimitedTextFile, shorten } from './input-limits';

export function readLabelsFile(file: string, shown: string, where: ProblemLocation = { file: shown }): string[] {
  const text = readLimitedTextFile(file, 'labels file', shown, where);
  if (text.includes('\0')) throw new UserInputError(`${shown} holds NUL bytes: it is not a text file of class names, one a line.`, where);
  const labels = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (labels.length === 0) throw new UserInputError(`${shown} lists no labels: expected the model's class names, one a line.`, where);
  if (labels.length > LABELS_LIMITS.count) {
    throw new UserInputError(`${shown} lists ${labels.length} labels; at most ${LABELS_LIMITS.count} (one class name a line).`, where);
  }
  const long = labels.findIndex((l) => l.length > LABELS_LIMITS.chars);
  if (long >= 0) {
    throw new UserInputError(`${shown}: label ${long + 1} is ${labels[long].length} characters (${quoteValue(labels[long])}); a class name may be at most ${LABELS_LIMITS.chars}.`, where);
  }
  return labels;
}

/** The first few labels, for a message: never the whole list. */
export function quoteLabels(labels: readonly string[], shown = 5): string {
  const head = labels.slice(0, shown).map((l) => shorten(l, 40)).join(', ');
  return labels.length > shown ? `${head}, … ${labels.length - shown} more` : head;
}
