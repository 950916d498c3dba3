// The test bed's own reading of config.pbtxt: Triton's model_config.proto
// (../shared/reference/triton/model_config.proto) loaded at run time by protobufjs, and the text
// parsed by protobufjs's text-format reader. It shares no code with the action's src/protobuf-text,
// so a bug there shows up as a difference (see __tests__/unit/triton-server/model-config-referee.test.ts).
import * as path from 'path';
import * as protobuf from 'protobufjs';
import { fromText } from 'protobufjs/ext/textformat';

const MODEL_CONFIG_PROTO = path.resolve(__dirname, '../../../shared/reference/triton/model_config.proto');

let modelConfigType: protobuf.Type | undefined;

/** inference.ModelConfig, field names as in the .proto (keepCase), loaded once. */
export function modelConfigMessageType(): protobuf.Type {
  if (!modelConfigType) {
    const root = new protobuf.Root().loadSync(MODEL_CONFIG_PROTO, { keepCase: true });
    root.resolveAll();
    modelConfigType = root.lookupType('inference.ModelConfig');
  }
  return modelConfigType;
}

export type ConfigJson = { [key: string]: unknown };

/**
 * Parses config.pbtxt against the schema.
 * @throws Error "file: ..." when the text is not a valid ModelConfig (unknown field, wrong type, syntax).
 */
export function readModelConfigText(text: string, file: string): protobuf.Message {
  try {
    return fromText(modelConfigMessageType(), text);
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
}

/**
 * The JSON Triton prints for GET /v2/models/{m}/config: protobuf's JSON printer with proto field
 * names, enum names and default-valued primitive and repeated fields printed, unset message fields
 * and unset oneof members left out; int64 values as JSON numbers (Triton rewrites them).
 */
export function modelConfigMessageToJson(message: protobuf.Message): ConfigJson {
  const plain = modelConfigMessageType().toObject(message, {
    enums: String, longs: Number, bytes: String, defaults: true, arrays: true, objects: true, json: true,
  });
  return withoutNulls(plain) as ConfigJson;
}

/** toObject's `defaults` gives unset message fields as null; Triton's printer leaves them out. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== 'object') return value;
  const out: ConfigJson = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = withoutNulls(v);
  return out;
}
