import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { CUSTOM_VISION_PREPROCESSINGS, XY_ACTIVATIONS } from '../../../src/smoke-test/families/custom-vision-preprocessing';

const ROOT = path.resolve(__dirname, '../../..');
const action = YAML.parse(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8'));
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The quoted values a description lists: "'auto' (...), 'rgb-0-1' or 'bgr-0-255'" -> [auto, rgb-0-1, bgr-0-255]. */
const quoted = (text: string) => [...text.matchAll(/'([a-z0-9-]+)'/g)].map((m) => m[1]).filter((v) => v !== 'custom-vision-preprocessing');

describe.each([
  ['custom-vision-preprocessing', CUSTOM_VISION_PREPROCESSINGS],
  ['custom-vision-xy-activation', XY_ACTIVATIONS],
])('input %s', (name, values) => {
  it('lists in action.yml exactly the values the code accepts, defaulting to the first', () => {
    expect(quoted(action.inputs[name].description)).toEqual([...values]);
    expect(action.inputs[name].default).toBe(values[0]);
  });

  it('is documented in the README input table with the same default and description', () => {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
    expect(row).toBe(`| \`${name}\` | \`${values[0]}\` | ${action.inputs[name].description} |`);
  });
});
