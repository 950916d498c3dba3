// The JSON Triton returns from GET /v2/models/{name}/config (model configuration extension).
// Triton prints the ModelConfig proto with protobuf's JSON printer using the proto field names
// (max_batch_size, data_type, not lowerCamel), enum names ("TYPE_FP32"), and default-valued
// primitive fields included ("is_shape_tensor": false, "batch_input": []); it then rewrites the
// int64 fields that proto3 JSON would print as strings (dims, reshape shape...) back to JSON
// numbers. Unset message fields are left out, and so are unset members of a oneof.
// Like Triton's own normalisation, `backend` is filled in from a known platform and
// `version_policy` defaults to { latest: { num_versions: 1 } }. Instance groups, optimization
// and other values Triton derives from the hardware are not invented here.

import { FieldSchema, MessageSchema } from '../protobuf-text/check-fields';
import {
  TextProtoMessage, TextProtoValue, fieldsNamed, isTextProtoEnum, isTextProtoMessage,
} from '../protobuf-text/parse-text-proto';
import { MODEL_CONFIG_SCHEMA } from './model-config-schema';
import { modelKindsFor } from './model-platforms';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** The config as Triton's HTTP endpoint would return it. Call on a config that validated. */
export function modelConfigToJson(config: TextProtoMessage): { [key: string]: Json } {
  const json = messageToJson(config, MODEL_CONFIG_SCHEMA);
  const kinds = modelKindsFor(typeof json.platform === 'string' ? json.platform : undefined, undefined);
  if (json.backend === '' && json.platform && kinds.length === 1 && kinds[0].backend) json.backend = kinds[0].backend;
  if (json.version_policy === undefined) json.version_policy = { latest: { num_versions: 1 } };
  return json;
}

function messageToJson(msg: TextProtoMessage, schema: MessageSchema): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const [name, spec] of Object.entries(schema)) {
    const fields = fieldsNamed(msg, name);
    if (spec.map) {
      const map: { [key: string]: Json } = {};
      for (const f of fields) {
        if (!isTextProtoMessage(f.value)) continue;
        const key = fieldsNamed(f.value, 'key')[0]?.value;
        const value = fieldsNamed(f.value, 'value')[0]?.value;
        map[key === undefined ? '' : String(scalarToJson(key, { type: spec.map.key }))] =
          value === undefined ? defaultOf(spec.map.value) : valueToJson(value, spec.map.value);
      }
      out[name] = map;
    } else if (spec.repeated) {
      out[name] = fields.map((f) => valueToJson(f.value, spec));
    } else if (fields.length > 0) {
      out[name] = valueToJson(fields[fields.length - 1].value, spec);
    } else if (spec.type !== 'message' && !spec.oneof) {
      out[name] = defaultOf(spec);
    }
  }
  return out;
}

function valueToJson(value: TextProtoValue, spec: FieldSchema): Json {
  if (spec.type !== 'message') return scalarToJson(value, spec);
  if (!isTextProtoMessage(value)) return null;
  return spec.message ? messageToJson(value, spec.message) : schemalessToJson(value);
}

/** Messages we do not model: a name set once is a value, set several times a list. */
function schemalessToJson(msg: TextProtoMessage): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const name of new Set(msg.fields.map((f) => f.name))) {
    const values = fieldsNamed(msg, name).map((f) =>
      isTextProtoMessage(f.value) ? schemalessToJson(f.value) : scalarToJson(f.value, undefined),
    );
    out[name] = values.length === 1 ? values[0] : values;
  }
  return out;
}

function scalarToJson(value: TextProtoValue, spec: FieldSchema | undefined): Json {
  if (isTextProtoEnum(value)) {
    if (spec?.type === 'bool') return value.enum === 't';
    return value.enum;
  }
  if (typeof value === 'number') {
    if (spec?.type === 'bool') return value !== 0;
    if (spec?.type === 'enum' && spec.enumValues && spec.enumValues[value] !== undefined) return spec.enumValues[value];
    // proto3 JSON spells non-finite floats as strings.
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
    return value;
  }
  if (isTextProtoMessage(value)) return null;
  return value;
}

function defaultOf(spec: FieldSchema): Json {
  if (spec.map) return {};
  if (spec.repeated) return [];
  switch (spec.type) {
    case 'string':
      return '';
    case 'int':
    case 'float':
      return 0;
    case 'bool':
      return false;
    case 'enum':
      return spec.enumValues?.[0] ?? 0;
    case 'message':
      return {};
  }
}
