/**
 * Typed reads of nested values in an Azure ML CLI v2 YAML file. Every wrong type or unknown key
 * becomes a problem naming the file, the dotted key and its line; problems are collected so one run
 * shows them all (a value never reaches Azure half-converted, e.g. "PTNaNS").
 */
import { UserInputError } from '../errors';
import type { ParsedYaml } from './aml-yaml';
import { closest } from './input-parsers';
import { quoteName, quoteValue } from './input-limits';

type Obj = Record<string, unknown>;

export class YamlFieldChecker {
  readonly problems: UserInputError[] = [];

  constructor(readonly y: ParsedYaml) {}

  fail(keys: string[], message: string): undefined {
    const line = this.y.lineOf(...keys);
    this.problems.push(new UserInputError(`${this.y.file}${line ? `:${line}` : ''}: ${message}`, { file: this.y.file, line }));
    return undefined;
  }

  /** Unknown keys of a nested mapping, each with a suggestion and the known list. */
  known(value: Obj, keys: string[], known: readonly string[]): void {
    for (const k of Object.keys(value)) {
      if (known.includes(k)) continue;
      const hint = closest(k, [...known]);
      const dotted = [...keys, k].join('.');
      this.fail([...keys, k], `unknown field ${quoteName(dotted)}${hint ? ` (did you mean '${[...keys, hint].join('.')}'?)` : ''}. Known fields of '${keys.join('.')}': ${known.join(', ')}.`);
    }
  }

  /** A mapping, or undefined when absent; anything else is a problem. */
  mapping(value: unknown, keys: string[]): Obj | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'object' && !Array.isArray(value)) return value as Obj;
    return this.fail(keys, `'${keys.join('.')}' must be a mapping, found ${quoteValue(value)}.`);
  }

  int(obj: Obj, keys: string[], min: number, unit = ''): number | undefined {
    const v = obj[keys[keys.length - 1]];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && Number.isInteger(v) && v >= min) return v;
    return this.fail(keys, `'${keys.join('.')}' must be a whole number${unit ? ` of ${unit}` : ''} of at least ${min}, found ${quoteValue(v)}.`);
  }

  bool(obj: Obj, keys: string[]): boolean | undefined {
    const v = obj[keys[keys.length - 1]];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'boolean') return v;
    return this.fail(keys, `'${keys.join('.')}' must be true or false, found ${quoteValue(v)}.`);
  }

  string(obj: Obj, keys: string[]): string | undefined {
    const v = obj[keys[keys.length - 1]];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    return this.fail(keys, `'${keys.join('.')}' must be a string, found ${quoteValue(v)}.`);
  }

  /** One of `allowed` (case-insensitive keys), mapped to its API spelling. */
  choice<T>(obj: Obj, keys: string[], allowed: Record<string, T>): T | undefined {
    const v = obj[keys[keys.length - 1]];
    if (v === undefined || v === null) return undefined;
    const hit = typeof v === 'string' ? Object.entries(allowed).find(([k]) => k.toLowerCase() === v.toLowerCase()) : undefined;
    if (hit) return hit[1];
    return this.fail(keys, `'${keys.join('.')}' must be one of ${Object.keys(allowed).join(', ')}, found ${quoteValue(v)}.`);
  }

  /** A mapping of names to scalar values, as strings (environment variables, tags, properties). */
  stringMap(obj: Obj, keys: string[]): Record<string, string> | undefined {
    const m = this.mapping(obj[keys[keys.length - 1]], keys);
    if (!m) return undefined;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(m)) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
      else this.fail([...keys, k], `${quoteName(`${keys.join('.')}.${k}`)} must be a string, number or boolean, found ${quoteValue(v)}.`);
    }
    return out;
  }
}
