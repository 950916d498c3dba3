/**
 * Azure ML CLI v2 YAML files (managedOnlineEndpoint / managedOnlineDeployment schemas) as a source of
 * settings. Each field is mapped on purpose; an unknown or misspelt field is an error that names it
 * with its line, so a typo never silently falls back to a default.
 */
import * as YAML from 'yaml';
import { UserInputError } from '../errors';
import { closest } from './input-parsers';
import { quoteName, quoteValue } from './input-limits';

/**
 * Aliases resolve as YAML defines them (`tags: *env` is the mapping anchored as `&env`); each may be
 * expanded at most this many times, so a "billion laughs" file cannot exhaust memory.
 */
const MAX_ALIAS_EXPANSIONS = 100;

export interface YamlField<T = unknown> {
  value: T;
  line?: number;
}

export interface ParsedYaml {
  file: string;
  fields: Map<string, YamlField>;
  /** The line of a (nested) key, e.g. lineOf('request_settings', 'request_timeout_ms'); else its parent's. */
  lineOf(...keys: string[]): number | undefined;
}

/** Field name -> expected shape; 'object' fields are mapped by their own known-field lists. */
export type FieldKind = 'string' | 'int' | 'object' | 'string|object' | 'map' | 'bool' | 'ignored';

export function parseAmlYaml(text: string, file: string, known: Record<string, FieldKind>): ParsedYaml {
  const lineCounter = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e.linePos?.[0]?.line;
    throw new UserInputError(`${file}${line ? `:${line}` : ''}: not valid YAML: ${e.message.split('\n')[0].slice(0, 200)}`, {
      file,
      line,
    });
  }
  const problems: UserInputError[] = [];
  const fields = new Map<string, YamlField>();
  const root = doc.contents;
  if (!YAML.isMap(root)) {
    throw new UserInputError(`${file}: expected a YAML mapping of settings at the top level.`, { file, line: 1 });
  }
  const values = resolveAliases(doc, file);
  for (const pair of root.items) {
    const key = keyText(pair.key);
    const line = YAML.isNode(pair.key) && pair.key.range ? lineCounter.linePos(pair.key.range[0]).line : undefined;
    const kind = known[key];
    if (!kind) {
      const hint = closest(key, Object.keys(known));
      problems.push(
        new UserInputError(
          `${file}${line ? `:${line}` : ''}: unknown field ${quoteName(key)}${hint ? ` (did you mean '${hint}'?)` : ''}. Known fields: ${Object.keys(known).filter((k) => k !== '$schema').join(', ')}.`,
          { file, line },
        ),
      );
      continue;
    }
    const value = values.get(key);
    const typeProblem = checkKind(key, value, kind);
    if (typeProblem) {
      problems.push(new UserInputError(`${file}${line ? `:${line}` : ''}: ${typeProblem}`, { file, line }));
      continue;
    }
    fields.set(key, { value, line });
  }
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) {
    throw new UserInputError(problems.map((p) => p.message).join('\n'), problems[0].where);
  }
  const lineOf = (...keys: string[]): number | undefined => {
    let node: unknown = root;
    let line: number | undefined;
    for (const k of keys) {
      if (!YAML.isMap(node)) break;
      const pair = node.items.find((p) => keyText(p.key) === k);
      if (!pair) break;
      if (YAML.isNode(pair.key) && pair.key.range) line = lineCounter.linePos(pair.key.range[0]).line;
      node = pair.value;
    }
    return line;
  };
  return { file, fields, lineOf };
}

function keyText(key: unknown): string {
  return String(YAML.isScalar(key) ? key.value : key);
}

/** The top-level values with aliases resolved, by key; an unknown anchor or too many expansions is the file's problem. */
function resolveAliases(doc: YAML.Document, file: string): Map<string, unknown> {
  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS });
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0].slice(0, 200) : String(e);
    throw new UserInputError(`${file}: its YAML aliases (*name) cannot be resolved: ${why}. Aliases may expand at most ${MAX_ALIAS_EXPANSIONS} times.`, { file });
  }
  return new Map(Object.entries(js as Record<string, unknown>));
}

function checkKind(key: string, value: unknown, kind: FieldKind): string | undefined {
  const isObj = typeof value === 'object' && value !== null && !Array.isArray(value);
  switch (kind) {
    case 'string':
      return typeof value === 'string' ? undefined : `'${key}' must be a string, found ${quoteValue(value)}.`;
    case 'int':
      return Number.isInteger(value) ? undefined : `'${key}' must be an integer, found ${quoteValue(value)}.`;
    case 'bool':
      return typeof value === 'boolean' ? undefined : `'${key}' must be true or false, found ${quoteValue(value)}.`;
    case 'object':
    case 'map':
      return isObj ? undefined : `'${key}' must be a mapping, found ${quoteValue(value)}.`;
    case 'string|object':
      return typeof value === 'string' || isObj ? undefined : `'${key}' must be a string or a mapping.`;
    case 'ignored':
      return undefined;
  }
}

/** Checks the keys of a nested mapping against its known names; returns problems as messages. */
export function checkNestedKeys(
  parsed: ParsedYaml,
  field: string,
  value: Record<string, unknown>,
  known: readonly string[],
): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      const line = parsed.lineOf(...field.split('.'), key);
      const hint = closest(key, known);
      throw new UserInputError(
        `${parsed.file}${line ? `:${line}` : ''}: unknown field ${quoteName(`${field}.${key}`)}${hint ? ` (did you mean '${field}.${hint}'?)` : ''}.`,
        { file: parsed.file, line },
      );
    }
  }
}
