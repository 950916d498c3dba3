// Reads one config.pbtxt two ways, the action's (src/protobuf-text + model-config-json) and the
// test bed's referee (protobufjs with Triton's model_config.proto), and lists where they differ.
import { modelConfigToJson } from '../../../src/model-repository/model-config-json';
import { parseTextProto } from '../../../src/protobuf-text/parse-text-proto';
import { modelConfigMessageToJson, readModelConfigText } from '../../../testbed/triton-server/model-config-proto';

type ParseTextProto = typeof parseTextProto;

/** Paths (`input[0].dims`) where the two readings differ; empty when they agree. */
export function configDifferences(text: string, file: string, parse: ParseTextProto = parseTextProto): string[] {
  const action = modelConfigToJson(parse(text, file)) as Record<string, unknown>;
  const referee = modelConfigMessageToJson(readModelConfigText(text, file));
  // The action completes these like Triton does; the referee prints the file as written.
  delete action.version_policy;
  if (referee.backend === '') {
    delete action.backend;
    delete referee.backend;
  }
  if (referee.version_policy) delete referee.version_policy;
  return differences(action, referee, '');
}

function differences(a: unknown, b: unknown, at: string): string[] {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return [`${at}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`];
    return a.flatMap((v, i) => differences(v, b[i], `${at}[${i}]`));
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => differences(a[k], b[k], at ? `${at}.${k}` : k));
  }
  return Object.is(a, b) ? [] : [`${at}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
