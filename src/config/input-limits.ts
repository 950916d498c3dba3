/**
 * Size limits on what the user hands the action, checked before a file is read whole or a value is
 * sent to Azure, and short quotes of values for error messages: a 20 MB value must not be copied
 * into the log (once for the annotation and once for the failure). The limits are listed in the
 * README (Inputs -> Limits).
 */
import * as fs from 'fs';
import { UserInputError, type ProblemLocation } from '../errors';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Largest file accepted, per kind. Real files are a few KiB; these leave room and bound memory. */
export const FILE_LIMITS = {
  /** az ml online-endpoint / online-deployment YAML (endpoint-file, deployment-file). */
  'Azure ML YAML file': 256 * KiB,
  /** Triton's config.pbtxt: the largest in Triton's own examples is under 10 KiB. */
  'config.pbtxt': 1 * MiB,
  /** TAO's clustering config (prototxt). */
  'clustering config': 256 * KiB,
  /** One class name per line. */
  'labels file': 1 * MiB,
} as const;
export type LimitedFileKind = keyof typeof FILE_LIMITS;

/**
 * Azure Resource Manager's tag limits (learn.microsoft.com/azure/azure-resource-manager/management/
 * tag-resources#limitations): 50 name/value pairs per resource, names up to 512 characters, values
 * up to 256.
 */
export const TAG_LIMITS = { count: 50, nameChars: 512, valueChars: 256 } as const;
/** Tags the action adds to what it creates (created-by, repository, commit, run URL, settings fingerprint). */
export const ACTION_TAGS = 5;
/** Azure ML's description field; the 2022-10-01 spec gives no maxLength, the service refuses long ones. */
export const DESCRIPTION_MAX_CHARS = 5000;
/** Class names in a labels file: Custom Vision allows 500 tags per project; Triton's label files are one short name a line. */
export const LABELS_LIMITS = { count: 10_000, chars: 256 } as const;

/** A value as it may appear in a message: at most `max` characters of it, then how long it was. */
export function quoteValue(value: unknown, max = 60): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : safeJson(value);
  if (text.length <= max) return text;
  const size = typeof value === 'string' ? `${value.length} characters` : `${text.length} characters as JSON`;
  return `${text.slice(0, max)}… (${size})`;
}

/** Text as is when short; else its first `max` characters, an ellipsis and its length. */
export function shorten(text: string, max = 60): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

/** A name (a key, a file path) in single quotes, shortened when long. */
export function quoteName(name: string, max = 60): string {
  return name.length <= max ? `'${name}'` : `'${name.slice(0, max)}…' (${name.length} characters)`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Reads a user file as UTF-8 after checking its size; never reads more than the limit (+1 byte to
 * tell a file that grew). `where` names the input or file in the error.
 */
export function readLimitedTextFile(file: string, kind: LimitedFileKind, shown: string, where: ProblemLocation = { file: shown }): string {
  const limit = FILE_LIMITS[kind];
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size > limit) throw tooLarge(shown, kind, size, where);
    const buf = Buffer.alloc(Math.min(size, limit) + 1);
    let n = 0;
    for (let r = 1; r > 0 && n < buf.length; n += r) r = fs.readSync(fd, buf, n, buf.length - n, n);
    if (n > limit) throw tooLarge(shown, kind, n, where);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

function tooLarge(shown: string, kind: LimitedFileKind, size: number, where: ProblemLocation): UserInputError {
  return new UserInputError(`${shown} is ${formatBytes(size)}; a ${kind} may be at most ${formatBytes(FILE_LIMITS[kind])}. Is it the right file?`, where);
}

export function formatBytes(n: number): string {
  if (n >= MiB) return `${(n / MiB).toFixed(1)} MiB`;
  if (n >= KiB) return `${(n / KiB).toFixed(0)} KiB`;
  return `${n} bytes`;
}

/** Tags Azure would refuse (too many, too long), checked before any Azure call. `reserved`: tags the action adds. */
export function checkTags(tags: Record<string, string>, reserved: number, where: ProblemLocation & { shown: string }): UserInputError[] {
  const problems: UserInputError[] = [];
  const names = Object.keys(tags);
  if (names.length + reserved > TAG_LIMITS.count) {
    problems.push(
      new UserInputError(`${where.shown}: ${names.length} tags; Azure allows ${TAG_LIMITS.count} per resource and the action adds ${reserved}, so at most ${TAG_LIMITS.count - reserved}.`, where),
    );
  }
  for (const name of names) {
    if (name.length > TAG_LIMITS.nameChars) {
      problems.push(new UserInputError(`${where.shown}: tag name ${quoteValue(name)} is longer than Azure's ${TAG_LIMITS.nameChars} characters.`, where));
    } else if (tags[name].length > TAG_LIMITS.valueChars) {
      problems.push(new UserInputError(`${where.shown}: tag '${name}' has a value of ${tags[name].length} characters (${quoteValue(tags[name])}); Azure allows ${TAG_LIMITS.valueChars}.`, where));
    }
  }
  return problems;
}

export function checkDescription(description: string | undefined, where: ProblemLocation & { shown: string }): UserInputError[] {
  if (description === undefined || description.length <= DESCRIPTION_MAX_CHARS) return [];
  return [new UserInputError(`${where.shown}: description is ${description.length} characters (${quoteValue(description)}); at most ${DESCRIPTION_MAX_CHARS}.`, where)];
}
