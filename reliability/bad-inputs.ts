/**
 * Bad input, one case each: a bad value of an input, or a bad file (YAML, config.pbtxt, labels, images,
 * datasets, model). Each must be refused with an error naming the input or file, before any Azure write,
 * within the memory bound. Files are written under bad/<case>/ in the test bed's copy of the repository.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Bed } from './bed';
import type { CaseResult } from './case-result';
import { customVisionInputs, taoInputs } from './scenarios';
import { azureWrites, cleanError, errorMessages, leakedSecrets, logTail } from './verdict';

export interface BadInput {
  name: string;
  /** Which inputs to start from. */
  base: 'tao' | 'custom-vision';
  /** Inputs over the base; a function gets the case's folder (relative to the repository). */
  inputs: (dir: string) => Record<string, string>;
  /** Files to write, relative to the case's folder. */
  files?: (abs: string, ws: string) => void;
  /** The error must match this (the input or the file). */
  names: RegExp;
}

const REPO = 'samples/tao-detectnet-v2/model_repository';
const copyRepo = (abs: string, ws: string) => fs.cpSync(path.join(ws, REPO), path.join(abs, 'model_repository'), { recursive: true });
const config = (abs: string) => path.join(abs, 'model_repository', 'detectnet_tao', 'config.pbtxt');
const write = (file: string, data: string | Buffer) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
};
const input = (name: string, value: string, base: BadInput['base'] = 'tao'): BadInput => ({ name: `${name}: ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`, base, inputs: () => ({ [name]: value }), names: new RegExp(name.replace(/-/g, '[- ]'), 'i') });
const repoCase = (name: string, names: RegExp, change: (abs: string) => void): BadInput => ({
  name, base: 'tao', names, inputs: (dir) => ({ 'model-repository': `${dir}/model_repository` }),
  files: (abs, ws) => { copyRepo(abs, ws); change(abs); },
});
const fileInput = (name: string, inputName: string, file: string, data: (ws: string) => string | Buffer, names: RegExp, base: BadInput['base'] = 'tao'): BadInput => ({
  name, base, names, inputs: (dir) => ({ [inputName]: `${dir}/${file}` }), files: (abs, ws) => write(path.join(abs, file), data(ws)),
});
const dataset = (name: string, names: RegExp, files: (abs: string, ws: string) => void, extra: Record<string, string> = {}): BadInput => ({
  name, base: 'custom-vision', names, inputs: (dir) => ({ 'custom-vision-dataset': `${dir}/dataset`, ...extra }), files,
});
const cocoWith = (abs: string, ws: string, change: (coco: { images: { file_name: string }[]; annotations: { bbox: number[] }[] }) => void) => {
  fs.cpSync(path.join(ws, 'samples/custom-vision/dataset'), path.join(abs, 'dataset'), { recursive: true });
  const file = path.join(abs, 'dataset', 'annotations.json');
  const coco = JSON.parse(fs.readFileSync(file, 'utf8'));
  change(coco);
  fs.writeFileSync(file, JSON.stringify(coco));
};
const png = (ws: string) => fs.readFileSync(path.join(ws, 'samples/tao-detectnet-v2/images/street.png'));
const deploymentYaml = (body: string) => `$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\nname: blue\nendpoint_name: bad\n${body}`;

export const BAD_INPUTS: BadInput[] = [
  input('endpoint-name', '-starts-with-dash'),
  input('endpoint-name', 'x'.repeat(40)),
  input('endpoint-name', 'Has Spaces!'),
  input('instance-count', '0'),
  input('instance-count', 'two'),
  input('instance-type', 'Standard_Fake'),
  input('traffic-steps', '50,30'),
  input('traffic-steps', '150'),
  input('traffic-step-wait', 'soon'),
  input('timeout-minutes', '0'),
  input('on-failure', 'explode'),
  input('previous-deployments', 'maybe'),
  input('endpoint-auth-mode', 'password'),
  input('model-type', 'mlflow_model'),
  input('model-source', 'onnx-zoo'),
  input('min-detections', '-1'),
  input('score-threshold', '1.5'),
  input('inference-protocol', 'grpc'),
  input('model-family', 'yolo'),
  input('dry-run', 'perhaps'),
  input('subscription-id', 'not-a-guid'),
  input('model-repository', 'does/not/exist'),
  input('smoke-test-images', 'nothing/here/*.png'),
  input('smoke-test-images', '/**/*.png'),
  input('custom-vision-dataset-format', 'yolo', 'custom-vision'),
  input('custom-vision-preprocessing', 'rgb-0-2', 'custom-vision'),
  { name: 'generic-tensors: garbage', base: 'tao', inputs: () => ({ 'model-family': 'generic', 'generic-tensors': 'input==,,boxes' }), names: /generic-tensors/i },
  fileInput('smoke image: text named .png', 'smoke-test-images', 'not-an-image.png', () => 'hello, I am text', /not-an-image\.png/),
  fileInput('smoke image: truncated PNG', 'smoke-test-images', 'truncated.png', () => Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), /truncated\.png/),
  fileInput('smoke image: PNG claiming 100000x100000 pixels', 'smoke-test-images', 'huge.png', () => {
    const b = Buffer.alloc(33);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]).copy(b);
    b.writeUInt32BE(100000, 16); b.writeUInt32BE(100000, 20); b[24] = 8; b[25] = 2;
    return b;
  }, /huge\.png/),
  fileInput('smoke image: JPEG cut in half', 'smoke-test-images', 'half.jpg', (ws) => fs.readFileSync(path.join(ws, 'samples/tao-detectnet-v2/images/street.jpg')).subarray(0, 2000), /half\.jpg/),
  repoCase('config.pbtxt: unterminated message', /config\.pbtxt/, (abs) => write(config(abs), 'name: "detectnet_tao"\ninput [ { name: "input_1"\n')),
  repoCase('config.pbtxt: 100,000 nested braces', /config\.pbtxt/, (abs) => write(config(abs), `name: "detectnet_tao"\nparameters ${'{ key: "a" value '.repeat(100000)}`)),
  repoCase('config.pbtxt: 50 MB', /config\.pbtxt/, (abs) => write(config(abs), `name: "detectnet_tao"\n${'# padding padding padding padding padding padding\n'.repeat(1_000_000)}`)),
  repoCase('config.pbtxt: platform does not match model.onnx', /config\.pbtxt|platform/, (abs) => write(config(abs), fs.readFileSync(config(abs), 'utf8').replace('onnxruntime_onnx', 'tensorflow_savedmodel'))),
  repoCase('model.onnx: random bytes', /model\.onnx/, (abs) => write(path.join(abs, 'model_repository/detectnet_tao/1/model.onnx'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24)))),
  repoCase('model.onnx: empty', /model\.onnx/, (abs) => write(path.join(abs, 'model_repository/detectnet_tao/1/model.onnx'), '')),
  fileInput('labels-file: 1 MB on one line', 'labels-file', 'labels.txt', () => 'x'.repeat(1024 * 1024), /labels\.txt/),
  fileInput('labels-file: empty', 'labels-file', 'empty-labels.txt', () => '', /empty-labels\.txt/),
  fileInput('clustering-config: syntax error', 'clustering-config', 'clustering.prototxt', () => 'dbscan_config {\n  dbscan_eps: \n', /clustering\.prototxt/),
  fileInput('deployment-file: YAML syntax error', 'deployment-file', 'deployment.yml', () => deploymentYaml('instance_type: [unclosed\n'), /deployment\.yml/),
  fileInput('deployment-file: YAML alias', 'deployment-file', 'alias.yml', () => `env: &env\n  source: env\n${deploymentYaml('tags: *env\n')}`, /alias\.yml/),
  fileInput('deployment-file: 20 MB description', 'deployment-file', 'long.yml', () => deploymentYaml(`description: ${'d'.repeat(20 * 1024 * 1024)}\n`), /long\.yml|description/),
  fileInput('deployment-file: code_configuration', 'deployment-file', 'code.yml', () => deploymentYaml('code_configuration:\n  code: ./src\n  scoring_script: score.py\n'), /code\.yml|code_configuration/),
  fileInput('endpoint-file: unknown auth_mode', 'endpoint-file', 'endpoint.yml', () => 'name: bad-endpoint\nauth_mode: password\n', /endpoint\.yml|auth_mode/),
  dataset('dataset: annotations.json is not JSON', /annotations\.json/, (abs, ws) => { cocoWith(abs, ws, () => undefined); write(path.join(abs, 'dataset/annotations.json'), '{"images": [ {"id": 1,'); }),
  dataset('dataset: a box outside its image', /annotations\.json|bbox|box/, (abs, ws) => cocoWith(abs, ws, (c) => { c.annotations[0].bbox = [-50, -50, 9000, 9000]; })),
  dataset('dataset: an image that does not exist', /missing-image\.png/, (abs, ws) => cocoWith(abs, ws, (c) => { c.images[0].file_name = 'missing-image.png'; })),
  dataset('dataset: VOC with a character reference out of range', /street\.xml/, (abs, ws) => {
    write(path.join(abs, 'dataset/street.png'), png(ws));
    write(path.join(abs, 'dataset/street.xml'), '<annotation><filename>street.png</filename><size><width>1248</width><height>384</height></size><object><name>car&#xFFFFFFF;</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>20</xmax><ymax>20</ymax></bndbox></object></annotation>');
  }, { 'custom-vision-dataset-format': 'voc' }),
  dataset('dataset: empty folder', /dataset/, (abs) => fs.mkdirSync(path.join(abs, 'dataset'), { recursive: true })),
];

export async function runBadInput(bed: Bed, c: BadInput, id: string): Promise<CaseResult> {
  await bed.reset();
  const dir = `bad/${id}`;
  const abs = path.join(bed.workspace, dir);
  fs.rmSync(abs, { recursive: true, force: true });
  fs.mkdirSync(abs, { recursive: true });
  c.files?.(abs, bed.workspace);
  const base = c.base === 'tao' ? taoInputs(`bad-${id}`, `bad-${id}`) : customVisionInputs(bed, `bad-${id}`, `bad-${id}`);
  await bed.resetLog();
  const run = await bed.run({ inputs: { ...base, ...c.inputs(dir) }, timeoutMinutes: 1 });
  const writes = azureWrites(await bed.requests());
  const secretsLeaked = leakedSecrets(run, await bed.secrets());
  fs.rmSync(abs, { recursive: true, force: true });
  const clean = cleanError(run, false);
  const errors = errorMessages(run).join('\n');
  let cause: string | undefined;
  if (!clean.clean) cause = clean.why === 'exit 0' ? 'accepted (exit 0)' : clean.why?.startsWith('crash') ? 'crash or JavaScript error in the output' : clean.why;
  else if (!c.names.test(errors)) cause = 'the error does not name the input or file';
  else if (writes.length) cause = 'Azure write before the local check failed';
  else if (run.peakRssMb > 512) cause = 'memory over 512 MB';
  else if (errors.length > 4000) cause = 'the error dumps the input (over 4000 characters)';
  if (!cause && secretsLeaked.length) cause = 'secret in the open';
  return {
    section: 'bad-input', name: c.name, outcome: cause ? 'misbehaved' : 'reported-cleanly', cause,
    detail: cause ? `${clean.why ?? ''} writes: ${writes.slice(0, 5).join(', ')}; error: ${errors.slice(0, 300)}` : undefined,
    trafficToUnhealthy: false, secretsLeaked, peakRssMb: run.peakRssMb, durationMs: run.durationMs, logTail: cause ? logTail(run) : undefined,
  };
}
