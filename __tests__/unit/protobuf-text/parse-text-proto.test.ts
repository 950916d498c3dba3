import * as fs from 'fs';
import * as path from 'path';
import { UserInputError } from '../../../src/errors';
import {
  TextProtoMessage, TextProtoValue, fieldsNamed, isTextProtoMessage, parseTextProto,
} from '../../../src/protobuf-text/parse-text-proto';

const FIXTURES = '/work/shared/reference/fixtures';

/** Plain-object view of a message for compact assertions: name -> value or list of values. */
function plain(msg: TextProtoMessage): Record<string, unknown> {
  const out: Record<string, unknown[]> = {};
  for (const f of msg.fields) (out[f.name] ??= []).push(isTextProtoMessage(f.value) ? plain(f.value) : f.value);
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.length === 1 ? v[0] : v]));
}

function parseError(text: string): UserInputError {
  try {
    parseTextProto(text, 'config.pbtxt');
  } catch (e) {
    if (e instanceof UserInputError) return e;
    throw e;
  }
  throw new Error(`expected a parse error for: ${text}`);
}

describe('parseTextProto on real files', () => {
  it('reads the DetectNet_v2 config.pbtxt with list-of-message inputs and enum data types', () => {
    const file = `${FIXTURES}/nvidia-azureml-tao-detectnet_v2/model_repository/detectnet_tao/config.pbtxt`;
    const msg = parseTextProto(fs.readFileSync(file, 'utf8'), file);
    expect(plain(msg)).toEqual({
      name: 'detectnet_tao',
      platform: 'tensorrt_plan',
      max_batch_size: 16,
      input: { name: 'input_1', data_type: { enum: 'TYPE_FP32' }, format: { enum: 'FORMAT_NCHW' }, dims: [3, 384, 1248] },
      output: [
        { name: 'output_bbox/BiasAdd', data_type: { enum: 'TYPE_FP32' }, dims: [12, 24, 78] },
        { name: 'output_cov/Sigmoid', data_type: { enum: 'TYPE_FP32' }, dims: [3, 24, 78] },
      ],
      dynamic_batching: {},
    });
    const dims = fieldsNamed(fieldsNamed(msg, 'input')[0].value as TextProtoMessage, 'dims');
    expect(dims.map((d) => [d.line, d.column])).toEqual([[9, 13], [9, 15], [9, 19]]);
  });

  it.each(['dashcamnet_tao', 'peoplenet_tao'])('reads the TAO %s config.pbtxt', (model) => {
    const file = `${FIXTURES}/tao-toolkit-triton-apps/model_repository/${model}/config.pbtxt`;
    const msg = parseTextProto(fs.readFileSync(file, 'utf8'), file);
    expect(fieldsNamed(msg, 'name')[0].value).toBe(model);
    expect(fieldsNamed(msg, 'output')).toHaveLength(2);
  });

  const specs = [
    ...fs.readdirSync(`${FIXTURES}/tao-toolkit-triton-apps/tao_triton/python/clustering_specs`).map((f) => `${FIXTURES}/tao-toolkit-triton-apps/tao_triton/python/clustering_specs/${f}`),
    `${FIXTURES}/nvidia-azureml-tao-detectnet_v2/scripts/auxiliary_files/clustering_config_detectnet.prototxt`,
  ];
  it.each(specs.map((s) => [path.basename(s), s]))('reads the clustering spec %s', (_name, file) => {
    const msg = parseTextProto(fs.readFileSync(file, 'utf8'), file);
    expect(msg.fields.length).toBeGreaterThan(0);
  });

  it('reads map entries `key: "car" value: { ... }` of the DetectNet clustering spec', () => {
    const file = `${FIXTURES}/nvidia-azureml-tao-detectnet_v2/scripts/auxiliary_files/clustering_config_detectnet.prototxt`;
    const msg = parseTextProto(fs.readFileSync(file, 'utf8'), file);
    const entries = fieldsNamed(msg, 'classwise_clustering_config').map((f) => plain(f.value as TextProtoMessage));
    expect(entries.map((e) => e.key)).toEqual(['car', 'cyclist', 'pedestrian']);
    expect(entries[2].value).toEqual({
      coverage_threshold: 0.005,
      minimum_bounding_box_height: 4,
      dbscan_config: { dbscan_eps: 0.3, dbscan_min_samples: 0.05, dbscan_confidence_threshold: 0.2 },
      bbox_color: { R: 255, G: 0, B: 0 },
    });
  });
});

describe('parseTextProto syntax', () => {
  const cases: [string, string, Record<string, unknown>][] = [
    ['message with colon', 'a: { b: 1 }', { a: { b: 1 } }],
    ['message in angle brackets', 'a < b: 1 >', { a: { b: 1 } }],
    ['repeated entries', 'd: 1 d: 2', { d: [1, 2] }],
    ['scalar list', 'd: [1, -2, 3]', { d: [1, -2, 3] }],
    ['empty list', 'd: [] e: 1', { e: 1 }],
    ['message list without colon', 'i [ { n: "a" }, { n: "b" } ]', { i: [{ n: 'a' }, { n: 'b' }] }],
    ['message list with colon', 'i: [ <n: "a">, { n: "b" } ]', { i: [{ n: 'a' }, { n: 'b' }] }],
    ['separators , and ;', 'a: 1, b: 2; c { d: 3; }', { a: 1, b: 2, c: { d: 3 } }],
    ['comments', '# head\na: 1 # tail\n# end', { a: 1 }],
    ['double and single quotes', `a: "x'y" b: 'x"y'`, { a: "x'y", b: 'x"y' }],
    ['adjacent strings join', `a: "ab" 'cd'`, { a: 'abcd' }],
    ['simple escapes', String.raw`a: "\n\t\\\"\'\?"`, { a: '\n\t\\"\'?' }],
    ['octal, hex and unicode escapes', String.raw`a: "\101\x42\u00e9\U0001F600"`, { a: 'ABé😀' }],
    ['escaped UTF-8 bytes', String.raw`a: "\303\251"`, { a: 'é' }],
    ['integers', 'a: 0 b: 42 c: -7 d: 0x1f e: 017', { a: 0, b: 42, c: -7, d: 31, e: 15 }],
    ['floats', 'a: 1.5 b: .5 c: 2. d: 1e3 e: -2.5E-2 f: 3f g: 1.0F', { a: 1.5, b: 0.5, c: 2, d: 1000, e: -0.025, f: 3, g: 1 }],
    ['special floats', 'a: inf b: -Infinity c: nan d: -inf', { a: Infinity, b: -Infinity, c: NaN, d: -Infinity }],
    ['minus then whitespace', 'a: - 5', { a: -5 }],
    ['booleans', 'a: true b: False c: t', { a: true, b: false, c: { enum: 't' } }],
    ['enum identifiers', 'k: KIND_GPU', { k: { enum: 'KIND_GPU' } }],
    ['extension field names', '[foo.bar] { x: 1 } [type.googleapis.com/a.B] { y: 2 }', { '[foo.bar]': { x: 1 }, '[type.googleapis.com/a.B]': { y: 2 } }],
    ['empty file', '  # nothing\n', {}],
  ];
  it.each(cases)('parses %s', (_label, text, expected) => {
    expect(plain(parseTextProto(text, 'x.pbtxt'))).toEqual(expected);
  });

  it('records the line and column of each field name and list element', () => {
    const msg = parseTextProto('a: 1\n  b {\n    c: [ 4,\n 5 ]\n  }', 'x');
    expect(msg.fields.map((f) => [f.name, f.line, f.column])).toEqual([['a', 1, 1], ['b', 2, 3]]);
    const b = msg.fields[1].value as TextProtoMessage;
    expect([b.line, b.column]).toEqual([2, 5]);
    expect(b.fields.map((f) => [f.value, f.line, f.column])).toEqual([[4, 3, 10], [5, 4, 2]]);
  });
});

describe('parseTextProto errors', () => {
  const cases: [string, string, number, number, string][] = [
    ['scalar list without colon', 'input {\n  name: "x"\n  dims [ 3 ]\n}', 3, 8, "config.pbtxt:3:8: expected ':' or '{' after field name 'dims', found '['"],
    ['value without colon', 'max_batch_size 16', 1, 16, "config.pbtxt:1:16: expected ':' or '{' after field name 'max_batch_size', found '16'"],
    ['unclosed message', 'a {\n b: 1\n', 3, 1, "config.pbtxt:3:1: expected '}' to close the message opened at line 1, found end of file"],
    ['mismatched closer', 'a { b: 1 >', 1, 10, "config.pbtxt:1:10: expected '}' to close the message opened at line 1, found '>'"],
    ['stray closer', 'a: 1 }', 1, 6, "config.pbtxt:1:6: expected a field name, found '}'"],
    ['unterminated string', 'a: "abc\nb: 1', 1, 4, 'config.pbtxt:1:4: unterminated string starting here'],
    ['unknown escape', String.raw`a: "\q"`, 1, 5, String.raw`config.pbtxt:1:5: unknown escape '\q' in string`],
    ['missing value', 'a: }', 1, 4, "config.pbtxt:1:4: expected a value for field 'a', found '}'"],
    ['minus before identifier', 'a: -KIND', 1, 5, "config.pbtxt:1:5: expected a number after '-' in field 'a', found 'KIND'"],
    ['list without comma', 'd: [1 2]', 1, 7, "config.pbtxt:1:7: expected ',' or ']' in list 'd' opened at line 1, found '2'"],
    ['mixed list', 'd: [1, {}]', 1, 8, "config.pbtxt:1:8: list 'd' mixes messages and scalar values"],
    ['malformed number', 'a: 12ab', 1, 4, "config.pbtxt:1:4: malformed number '12a'"],
    ['bad octal', 'a: 09', 1, 4, "config.pbtxt:1:4: malformed octal number '09'"],
    ['unexpected character', 'a: 1\n@', 2, 1, "config.pbtxt:2:1: unexpected character '@'"],
  ];
  it.each(cases)('reports %s with file, line and column', (_label, text, line, column, message) => {
    const e = parseError(text);
    expect(e.message).toBe(message);
    expect(e.where).toEqual({ file: 'config.pbtxt', line, column });
  });
});

describe('type guards', () => {
  it('tells enums from messages', () => {
    const v: TextProtoValue = { enum: 'X' };
    expect(isTextProtoMessage(v)).toBe(false);
    expect(isTextProtoMessage({ fields: [], line: 1, column: 1 })).toBe(true);
  });
});

describe('parseTextProto on hostile input', () => {
  it('refuses 100,000 nested braces with the file, line and column instead of overflowing the stack', () => {
    const text = 'a {\n'.repeat(100_000) + '}'.repeat(100_000);
    let error: unknown;
    try {
      parseTextProto(text, 'model/config.pbtxt');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as Error).message).toBe('model/config.pbtxt:101:3: messages are nested more than 100 deep');
  });
});
