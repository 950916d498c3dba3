// Schema-light checking of a parsed text-format message: unknown fields (with a "did you mean"),
// wrong value types, non-repeated fields set twice, and two members of one oneof.
// Maps are written in text format as repeated entries `name { key: "k" value: {...} }`
// (https://protobuf.dev/reference/protobuf/textformat-spec/#maps).

import { UserInputError } from '../errors';
import { closestName } from '../closest-name';
import { TextProtoField, TextProtoMessage, TextProtoValue, isTextProtoEnum, isTextProtoMessage } from './parse-text-proto';

export type ScalarType = 'string' | 'int' | 'float' | 'bool' | 'enum';

export interface FieldSchema {
  type: ScalarType | 'message';
  repeated?: boolean;
  /** int only: uint32/uint64 fields, negative values are refused. */
  unsigned?: boolean;
  enumValues?: string[];
  /** message only: the nested schema; absent means "any content accepted". */
  message?: MessageSchema;
  /** A proto map<key, value>: repeated `{ key: ... value: ... }` entries (type is 'message'). */
  map?: { key: ScalarType; value: FieldSchema };
  /** Name of the oneof this field belongs to; at most one member of a oneof may be set. */
  oneof?: string;
}

export interface MessageSchema {
  [field: string]: FieldSchema;
}

/**
 * All schema problems in `msg` and its nested messages, in source order.
 * `where` names the message in errors (e.g. "ModelConfig", then "ModelConfig.input").
 */
export function checkFields(msg: TextProtoMessage, schema: MessageSchema, file: string, where: string): UserInputError[] {
  const problems: UserInputError[] = [];
  const report = (at: { line: number; column: number }, message: string): void => {
    problems.push(problemAt(file, at, message));
  };
  const seen = new Map<string, TextProtoField>();
  const oneofs = new Map<string, TextProtoField>();
  const unknown = new Set<string>();

  for (const field of msg.fields) {
    const spec = Object.prototype.hasOwnProperty.call(schema, field.name) ? schema[field.name] : undefined;
    if (!spec) {
      if (unknown.has(field.name)) continue;
      unknown.add(field.name);
      const hint = closestName(field.name, Object.keys(schema));
      report(field, `unknown field '${field.name}' in ${where}${hint ? `; did you mean '${hint}'?` : ''}`);
      continue;
    }
    const first = seen.get(field.name);
    if (first && !spec.repeated && !spec.map) {
      report(field, `field '${field.name}' in ${where} is set again (first at line ${first.line}) but is not repeated`);
    }
    if (!first) seen.set(field.name, field);
    if (spec.oneof) {
      const other = oneofs.get(spec.oneof);
      if (other && other.name !== field.name) {
        report(field, `'${field.name}' and '${other.name}' (line ${other.line}) in ${where} are alternatives (oneof ${spec.oneof}); set only one`);
      } else if (!other) oneofs.set(spec.oneof, field);
    }
    const label = `${where}.${field.name}`;
    if (spec.map) {
      if (!isTextProtoMessage(field.value)) {
        report(field, `field '${field.name}' in ${where} is a map; expected entries '${field.name} { key: ... value: ... }', found ${describeValue(field.value)}`);
        continue;
      }
      const entry: MessageSchema = { key: { type: spec.map.key }, value: spec.map.value };
      problems.push(...checkFields(field.value, entry, file, label));
      continue;
    }
    const typeProblem = checkValue(field.value, spec);
    if (typeProblem) {
      report(field, `field '${field.name}' in ${where} expects ${typeProblem}, found ${describeValue(field.value)}`);
    } else if (spec.type === 'message' && spec.message && isTextProtoMessage(field.value)) {
      problems.push(...checkFields(field.value, spec.message, file, label));
    }
  }
  return problems;
}

/** What was expected when `value` does not fit `spec`, or undefined when it fits. */
function checkValue(value: TextProtoValue, spec: FieldSchema): string | undefined {
  switch (spec.type) {
    case 'string':
      return typeof value === 'string' ? undefined : 'a quoted string';
    case 'int':
      if (typeof value === 'number' && Number.isInteger(value) && !(spec.unsigned && value < 0)) return undefined;
      return spec.unsigned ? 'a non-negative integer' : 'an integer';
    case 'float':
      return typeof value === 'number' ? undefined : 'a number';
    case 'bool':
      if (typeof value === 'boolean' || value === 0 || value === 1) return undefined;
      if (isTextProtoEnum(value) && (value.enum === 't' || value.enum === 'f')) return undefined;
      return 'true or false';
    case 'enum': {
      if (typeof value === 'number' && Number.isInteger(value)) return undefined;
      const allowed = spec.enumValues;
      if (isTextProtoEnum(value) && (!allowed || allowed.includes(value.enum))) return undefined;
      if (!allowed) return 'an enum value';
      const hint = isTextProtoEnum(value) ? closestName(value.enum, allowed) : undefined;
      return `one of ${allowed.join(', ')}${hint ? ` (did you mean ${hint}?)` : ''}`;
    }
    case 'message':
      return isTextProtoMessage(value) ? undefined : 'a message { ... }';
  }
}

export function describeValue(value: TextProtoValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isTextProtoEnum(value)) return value.enum;
  return `a message { ... } (line ${value.line})`;
}

/** A UserInputError located at a field or message: "file:line:col: message". */
export function problemAt(file: string, at: { line: number; column: number }, message: string): UserInputError {
  return new UserInputError(`${file}:${at.line}:${at.column}: ${message}`, { file, line: at.line, column: at.column });
}
