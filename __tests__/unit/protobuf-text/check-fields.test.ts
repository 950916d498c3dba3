import * as fs from 'fs';
import { MessageSchema, checkFields } from '../../../src/protobuf-text/check-fields';
import { closestName, editDistance } from '../../../src/closest-name';
import { parseTextProto } from '../../../src/protobuf-text/parse-text-proto';

// PostprocessingConfig from tao_triton/python/proto/postprocessor_config.proto
const clustering: MessageSchema = {
  coverage_threshold: { type: 'float' },
  minimum_bounding_box_height: { type: 'int' },
  dbscan_config: {
    type: 'message',
    message: {
      dbscan_eps: { type: 'float' }, dbscan_min_samples: { type: 'float' },
      neighborhood_size: { type: 'int' }, dbscan_confidence_threshold: { type: 'float' },
    },
  },
  bbox_color: { type: 'message', message: { R: { type: 'int' }, G: { type: 'int' }, B: { type: 'int' } } },
};
const postprocessing: MessageSchema = {
  classwise_clustering_config: { type: 'message', map: { key: 'string', value: { type: 'message', message: clustering } } },
  linewidth: { type: 'int' },
  stride: { type: 'int' },
};

const schema: MessageSchema = {
  name: { type: 'string' },
  count: { type: 'int', unsigned: true },
  ratio: { type: 'float' },
  on: { type: 'bool' },
  kind: { type: 'enum', enumValues: ['KIND_AUTO', 'KIND_GPU', 'KIND_CPU'] },
  dims: { type: 'int', repeated: true },
  inner: { type: 'message', message: { level: { type: 'int' } } },
  opaque: { type: 'message' },
  latest: { type: 'message', oneof: 'policy' },
  all: { type: 'message', oneof: 'policy' },
  tags: { type: 'message', map: { key: 'string', value: { type: 'string' } } },
};

function problems(text: string): string[] {
  return checkFields(parseTextProto(text, 'c.pbtxt'), schema, 'c.pbtxt', 'Cfg').map((p) => p.message);
}

describe('checkFields', () => {
  it('accepts every TAO clustering spec against PostprocessingConfig, map entries included', () => {
    const dir = '/work/shared/reference/fixtures/tao-toolkit-triton-apps/tao_triton/python/clustering_specs';
    for (const f of fs.readdirSync(dir).filter((n) => !n.includes('centerpose'))) {
      const msg = parseTextProto(fs.readFileSync(`${dir}/${f}`, 'utf8'), f);
      expect(checkFields(msg, postprocessing, f, 'PostprocessingConfig')).toEqual([]);
    }
  });

  it('accepts valid values of every type', () => {
    const text = 'name: "a" count: 2 ratio: 1 on: t kind: KIND_GPU dims: [1, 2] inner { level: 1 } opaque { x: 1 y { } } all { } tags { key: "k" value: "v" }';
    expect(problems(text)).toEqual([]);
  });

  const cases: [string, string, string][] = [
    ['unknown field with a suggestion', 'nmae: "x"', "c.pbtxt:1:1: unknown field 'nmae' in Cfg; did you mean 'name'?"],
    ['unknown field without a close name', 'zzzzzz: 1', "c.pbtxt:1:1: unknown field 'zzzzzz' in Cfg"],
    ['unknown nested field', 'inner {\n  levle: 1\n}', "c.pbtxt:2:3: unknown field 'levle' in Cfg.inner; did you mean 'level'?"],
    ['string given a number', 'name: 5', "c.pbtxt:1:1: field 'name' in Cfg expects a quoted string, found 5"],
    ['int given a float', 'count: 1.5', "c.pbtxt:1:1: field 'count' in Cfg expects a non-negative integer, found 1.5"],
    ['unsigned int given a negative', 'count: -1', "c.pbtxt:1:1: field 'count' in Cfg expects a non-negative integer, found -1"],
    ['float given a string', 'ratio: "1"', `c.pbtxt:1:1: field 'ratio' in Cfg expects a number, found "1"`],
    ['bool given an identifier', 'on: yes', "c.pbtxt:1:1: field 'on' in Cfg expects true or false, found yes"],
    ['enum misspelt', 'kind: KIND_GUP', "c.pbtxt:1:1: field 'kind' in Cfg expects one of KIND_AUTO, KIND_GPU, KIND_CPU (did you mean KIND_GPU?), found KIND_GUP"],
    ['message given a scalar', 'inner: 3', "c.pbtxt:1:1: field 'inner' in Cfg expects a message { ... }, found 3"],
    ['non-repeated field twice', 'name: "a"\nname: "b"', "c.pbtxt:2:1: field 'name' in Cfg is set again (first at line 1) but is not repeated"],
    ['two members of a oneof', 'latest { }\nall { }', "c.pbtxt:2:1: 'all' and 'latest' (line 1) in Cfg are alternatives (oneof policy); set only one"],
    ['map entry with a bad key type', 'tags { key: 1 value: "v" }', "c.pbtxt:1:8: field 'key' in Cfg.tags expects a quoted string, found 1"],
    ['map given a scalar', 'tags: "x"', "c.pbtxt:1:1: field 'tags' in Cfg is a map; expected entries 'tags { key: ... value: ... }', found \"x\""],
  ];
  it.each(cases)('reports %s', (_label, text, message) => {
    expect(problems(text)).toEqual([message]);
  });

  it('reports an unknown field once however often it appears, with its location', () => {
    const [p, ...rest] = checkFields(parseTextProto('a: 1\na: 2', 'c.pbtxt'), schema, 'c.pbtxt', 'Cfg');
    expect(rest).toEqual([]);
    expect(p.where).toEqual({ file: 'c.pbtxt', line: 1, column: 1 });
  });
});

describe('closestName', () => {
  it.each([
    ['max_batch', 'max_batch_size'],
    ['Platform', 'platform'],
    ['dynamic_batch', 'dynamic_batching'],
    ['inputs', 'input'],
    ['qqq', undefined],
  ])('suggests for %s: %s', (name, expected) => {
    expect(closestName(name, ['name', 'platform', 'max_batch_size', 'input', 'output', 'dynamic_batching'])).toBe(expected);
  });

  it('counts edits', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});
