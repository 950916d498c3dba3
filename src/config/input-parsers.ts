/** Small parsers that turn one raw input string into a typed value, or a UserInputError naming the input. */
import { UserInputError } from '../errors';
import { editDistance } from '../closest-name';

export function parseEnum<T extends string>(input: string, raw: string, allowed: readonly T[]): T {
  const found = allowed.find((a) => a.toLowerCase() === raw.trim().toLowerCase());
  if (!found) {
    throw new UserInputError(
      `Input '${input}' is '${raw}'; expected one of: ${allowed.map((a) => `'${a}'`).join(', ')}.`,
      { input },
    );
  }
  return found;
}

export function parseBoolean(input: string, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['true', 'yes', '1', 'on'].includes(v)) return true;
  if (['false', 'no', '0', 'off', ''].includes(v)) return false;
  throw new UserInputError(`Input '${input}' is '${raw}'; expected 'true' or 'false'.`, { input });
}

export function parseNumber(input: string, raw: string, min: number, max: number, integer = false): number {
  const n = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
    const kind = integer ? 'an integer' : 'a number';
    throw new UserInputError(`Input '${input}' is '${raw}'; expected ${kind} from ${min} to ${max}.`, { input });
  }
  return n;
}

/** '90', '90s', '5m', '1m30s' -> milliseconds; a bare number is seconds. At most `maxMs`. */
export function parseDuration(input: string, raw: string, maxMs: number): number {
  const m = /^\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s?)?\s*$/i.exec(raw);
  const ms = m && (m[1] !== undefined || m[2] !== undefined) ? (Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 1000 : NaN;
  if (!Number.isFinite(ms) || ms > maxMs) {
    throw new UserInputError(`Input '${input}' is '${raw}'; expected a duration up to ${maxMs / 60_000} minutes: seconds ('90', '90s'), minutes ('5m') or both ('1m30s').`, { input });
  }
  return ms;
}

/** '10, 50,100' -> [10, 50, 100]: strictly increasing percentages ending at 100. */
export function parseTrafficSteps(input: string, raw: string): number[] {
  const steps = raw
    .split(/[,\s]+/)
    .filter(Boolean)
    .map((s) => parseNumber(input, s, 1, 100, true));
  const increasing = steps.every((s, i) => i === 0 || s > steps[i - 1]);
  if (steps.length === 0 || !increasing || steps[steps.length - 1] !== 100) {
    throw new UserInputError(
      `Input '${input}' is '${raw}'; expected increasing percentages ending at 100, e.g. '100' or '10,50,100'.`,
      { input },
    );
  }
  return steps;
}

/** 'a=b,c=d' -> { a: 'b', c: 'd' } */
export function parseKeyValues(input: string, raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of raw.split(/[,\n]/).map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) {
      throw new UserInputError(`Input '${input}': '${part}' is not key=value.`, { input });
    }
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}
