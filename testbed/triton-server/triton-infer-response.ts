// Writes an inference response: JSON outputs inline, binary outputs after the JSON object with
// Inference-Header-Content-Length (../shared/reference/triton/extension_binary_data.md).
import { ServerTensor } from './triton-datatypes';

export interface EncodedResponse {
  headers: Record<string, string>;
  body: Buffer;
}

export interface ResponseOutput {
  tensor: ServerTensor;
  binary: boolean;
}

export function encodeInferResponse(modelName: string, modelVersion: string | undefined, id: string | undefined, outputs: ResponseOutput[]): EncodedResponse {
  const chunks: Buffer[] = [];
  // Element lists are spliced in as literal JSON text so INT64 values keep every digit.
  const literals: string[] = [];
  const json = {
    model_name: modelName,
    ...(modelVersion !== undefined ? { model_version: modelVersion } : {}),
    ...(id !== undefined ? { id } : {}),
    outputs: outputs.map(({ tensor, binary }) => {
      const head = { name: tensor.name, datatype: tensor.datatype, shape: tensor.shape };
      if (binary) {
        const bytes = tensorBytes(tensor);
        chunks.push(bytes);
        return { ...head, parameters: { binary_data_size: bytes.length } };
      }
      literals.push(jsonElements(tensor));
      return { ...head, data: `\u0000${literals.length - 1}\u0000` };
    }),
  };
  const text = JSON.stringify(json).replace(/"\\u0000(\d+)\\u0000"/g, (_, i: string) => literals[Number(i)]);
  const header = Buffer.from(text, 'utf8');
  if (chunks.length === 0) return { headers: { 'content-type': 'application/json' }, body: header };
  return {
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
    body: Buffer.concat([header, ...chunks]),
  };
}

/** Raw little-endian element bytes (typed arrays are little-endian on every platform Node ships for). */
function tensorBytes(tensor: ServerTensor): Buffer {
  const data = tensor.data;
  if (!Array.isArray(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const parts = data.map((s) => Buffer.from(s, 'utf8'));
  const out = Buffer.alloc(parts.reduce((n, p) => n + 4 + p.length, 0));
  let at = 0;
  for (const p of parts) {
    at = out.writeUInt32LE(p.length, at);
    at += p.copy(out, at);
  }
  return out;
}

function jsonElements(tensor: ServerTensor): string {
  const data = tensor.data;
  if (Array.isArray(data)) return JSON.stringify(data);
  if (tensor.datatype === 'BOOL') return `[${Array.from(data as Uint8Array, (v) => (v ? 'true' : 'false')).join(',')}]`;
  const parts: string[] = new Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    // JSON has no NaN/Infinity; null is what JSON.stringify writes for them too.
    parts[i] = typeof v === 'bigint' || Number.isFinite(v) ? String(v) : 'null';
  }
  return `[${parts.join(',')}]`;
}
