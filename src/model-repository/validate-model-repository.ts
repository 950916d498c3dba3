// Validates a Triton model repository before anything is uploaded, and hashes what will be.
// Every problem is collected and thrown at once, so one run shows them all.

import * as fs from 'fs';
import * as path from 'path';
import { readLimitedTextFile } from '../config/input-limits';
import { UserInputError, UserInputErrors } from '../errors';
import { problemAt } from '../protobuf-text/check-fields';
import { parseTextProto } from '../protobuf-text/parse-text-proto';
import { ConfigFacts, checkModelConfig } from './check-model-config';
import { checkModelFolder } from './check-model-folder';
import { mapWithConcurrency, repositoryContentHash, sha256OfFile } from './content-hash';
import { guessModelWithoutConfig } from './model-without-config';
import { CompletedSignature, completeOnnxSignature } from './onnx-auto-complete';
import { readOnnxGraphSignature, type OnnxSignature } from './onnx-model';
import { TreeEntry, readRepositoryTree } from './repository-tree';
import { ModelRepository, RepoFile, TritonModel } from './triton-model';

export type { ModelRepository, RepoFile, TensorSpec, TritonModel } from './triton-model';
export { modelConfigToJson } from './model-config-json';
export { readOnnxGraphSignature, readOnnxMetadata, readOnnxSignature, TRITON_TYPE_OF_ONNX } from './onnx-model';
export type { OnnxSignature, OnnxTensorInfo } from './onnx-model';
export { repositoryContentHash } from './content-hash';

/** Files hashing at once: enough to keep a disk busy, few enough not to thrash it. */
const HASH_CONCURRENCY = 4;

/** Top-level files that may sit beside the model folders; they are neither uploaded nor errors. */
const IGNORABLE_TOP_LEVEL = [/^(readme|license|licence|notice|changelog)(\.[a-z0-9]+)?$/i, /\.md$/i, /^\.[^/]*$/];

/**
 * @throws UserInputErrors with one UserInputError (file, line) per problem found.
 */
export async function validateModelRepository(root: string): Promise<ModelRepository> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(root);
  } catch {
    throw new UserInputErrors([new UserInputError(`model repository '${root}' does not exist`, { file: root })]);
  }
  if (!stat.isDirectory()) {
    throw new UserInputErrors([new UserInputError(`model repository '${root}' is not a folder`, { file: root })]);
  }

  // Hidden top-level folders (.git) are not read at all.
  const tree = await readRepositoryTree(root, (rel) => rel.includes('/') || !rel.startsWith('.'));
  const problems = [...tree.problems];
  const warnings: string[] = [];
  const shown = (rel: string): string => path.join(root, ...rel.split('/'));

  const modelFolders: string[] = [];
  for (const entry of tree.entries.filter((e) => !e.path.includes('/'))) {
    if (entry.kind === 'dir' && !entry.path.startsWith('.')) modelFolders.push(entry.path);
    else if (entry.kind === 'dir') warnings.push(`${shown(entry.path)}/: hidden folder, not uploaded`);
    else if (IGNORABLE_TOP_LEVEL.some((re) => re.test(entry.path))) warnings.push(`${shown(entry.path)}: not in a model folder, not uploaded`);
    else {
      problems.push(new UserInputError(
        `${shown(entry.path)}: file outside any model folder; Triton expects <model>/config.pbtxt and <model>/<version>/<model file>`,
        { file: shown(entry.path) },
      ));
    }
  }
  if (modelFolders.length === 0 && problems.length === 0) {
    problems.push(new UserInputError(`model repository '${root}' holds no model folder; expected <model>/config.pbtxt and <model>/1/<model file>`, { file: root }));
  }

  const models: TritonModel[] = [];
  for (const folder of modelFolders) {
    const inside = tree.entries.filter((e) => e.path.startsWith(`${folder}/`));
    const model = await validateModel(folder, inside, shown, problems, warnings);
    if (model) models.push(model);
  }
  if (problems.length > 0) throw new UserInputErrors(problems);

  const toUpload = tree.entries.filter((e) => e.kind === 'file' && modelFolders.some((m) => e.path.startsWith(`${m}/`)));
  const files: RepoFile[] = await mapWithConcurrency(toUpload, HASH_CONCURRENCY, async (e) => ({
    path: e.path,
    size: e.size,
    sha256: await sha256OfFile(e.absPath, e.size),
  }));
  return { root, models, files, contentHash: repositoryContentHash(files), warnings };
}

async function validateModel(
  folder: string,
  inside: TreeEntry[],
  shown: (rel: string) => string,
  problems: UserInputError[],
  warnings: string[],
): Promise<TritonModel | undefined> {
  const configRel = `${folder}/config.pbtxt`;
  const configEntry = inside.find((e) => e.path === configRel);
  if (!configEntry) return modelWithoutConfig(folder, inside, shown, problems, warnings);
  if (configEntry.kind !== 'file') {
    problems.push(new UserInputError(`${shown(configRel)}: is a folder; expected the model configuration file`, { file: shown(configRel) }));
    return undefined;
  }
  const configFile = shown(configRel);
  let config;
  try {
    config = parseTextProto(readLimitedTextFile(configEntry.absPath, 'config.pbtxt', configFile), configFile);
  } catch (e) {
    if (e instanceof UserInputError) problems.push(e);
    else throw e;
    return undefined;
  }
  const checked = checkModelConfig(config, folder, configFile);
  const layout = checkModelFolder(folder, inside, checked.facts, configFile, shown);
  problems.push(...checked.problems, ...layout.problems);
  warnings.push(...checked.warnings, ...layout.warnings);
  const { facts } = checked;
  const isOnnx = facts.kinds.length > 0 && facts.kinds.every((k) => k.backend === 'onnxruntime');
  const clean = checked.problems.length === 0 && layout.problems.length === 0;
  const completed = isOnnx && clean ? await completeFromGraph(folder, facts, layout.modelFiles, inside, configFile, shown, problems) : undefined;
  return {
    name: folder,
    configFile: configRel,
    ...(facts.platform ? { platform: facts.platform } : {}),
    ...(facts.backend ? { backend: facts.backend } : {}),
    maxBatchSize: completed?.maxBatchSize ?? facts.maxBatchSize,
    inputs: completed?.inputs ?? facts.inputs,
    outputs: completed?.outputs ?? facts.outputs,
    ...(completed && completed.filled.length > 0 ? { autoCompleted: completed.filled } : {}),
    versions: layout.versions,
    modelFiles: layout.modelFiles,
  };
}

/** The ONNX file Triton loads for a model file entry (a folder holds the graph as model.onnx beside its external weights). */
function onnxGraphFile(entry: TreeEntry, inside: TreeEntry[]): TreeEntry | undefined {
  return entry.kind === 'file' ? entry : inside.find((e) => e.path === `${entry.path}/model.onnx` && e.kind === 'file');
}

/** The graph's inputs and outputs; an unreadable file is a problem named by its shown path. */
async function readGraph(file: TreeEntry, shown: (rel: string) => string, problems: UserInputError[]): Promise<OnnxSignature | undefined> {
  try {
    return await readOnnxGraphSignature(file.absPath);
  } catch (e) {
    if (!(e instanceof UserInputError)) throw e;
    problems.push(new UserInputError(e.message.replace(file.absPath, shown(file.path)), { file: shown(file.path) }));
    return undefined;
  }
}

/**
 * Reads the served version's ONNX graph and completes or checks the config against it as Triton's
 * onnxruntime backend would. The served version: the listed ones of a `specific` version policy,
 * else the highest (Triton's default policy serves the latest).
 */
async function completeFromGraph(
  folder: string,
  facts: ConfigFacts,
  modelFiles: string[],
  inside: TreeEntry[],
  configFile: string,
  shown: (rel: string) => string,
  problems: UserInputError[],
): Promise<CompletedSignature | undefined> {
  const versionOf = (rel: string): number => Number(rel.slice(folder.length + 1).split('/')[0]);
  const wanted = facts.specificVersions.map((v) => v.version);
  const served = wanted.length > 0 ? modelFiles.filter((f) => wanted.includes(versionOf(f))) : modelFiles.slice(-1);
  let result: CompletedSignature | undefined;
  for (const rel of served) {
    const entry = inside.find((e) => e.path === rel);
    const graphFile = entry && onnxGraphFile(entry, inside);
    if (!graphFile) {
      problems.push(new UserInputError(`${shown(rel)}/: holds no model.onnx`, { file: shown(rel) }));
      continue;
    }
    const graph = await readGraph(graphFile, shown, problems);
    if (!graph) continue;
    const completed = completeOnnxSignature(facts, graph);
    for (const p of completed.problems) {
      const at = p.tensor ? facts.tensorAt.get(`${p.tensor.kind}:${p.tensor.name}`) : p.batch ? facts.maxBatchSizeAt : undefined;
      problems.push(problemAt(configFile, at ?? { line: 1, column: 1 }, `${p.message} (model ${shown(graphFile.path)}); Triton refuses to load it`));
    }
    result ??= completed;
  }
  return result;
}

/** A folder without config.pbtxt: only an ONNX model, whose graph gives what Triton fills in. */
async function modelWithoutConfig(
  folder: string,
  inside: TreeEntry[],
  shown: (rel: string) => string,
  problems: UserInputError[],
  warnings: string[],
): Promise<TritonModel | undefined> {
  const guess = guessModelWithoutConfig(folder, inside);
  const shownPath = (rel: string): string => (rel.endsWith('/') ? `${shown(rel.slice(0, -1))}/` : shown(rel));
  for (const p of guess.problems) problems.push(new UserInputError(`${shownPath(p.path)}: ${p.message}`, { file: shownPath(p.path) }));
  for (const w of guess.warnings) warnings.push(`${shownPath(w.path)}: ${w.message}`);
  if (!guess.kind || guess.problems.length > 0) return undefined;
  const configHint = `add ${shown(`${folder}/config.pbtxt`)} with platform, max_batch_size, input and output`;
  if (guess.kind.backend !== 'onnxruntime') {
    const file = shown(guess.versions[guess.versions.length - 1].entry.path);
    const why = guess.kind.platform === 'tensorrt_plan' || guess.kind.platform === 'tensorflow_savedmodel'
      ? `Triton would fill in its inputs and outputs only by loading it with ${guess.kind.platform === 'tensorrt_plan' ? 'TensorRT on the GPU it serves on' : 'TensorFlow'}, which this action cannot do before deploying`
      : `Triton needs a config.pbtxt for ${guess.kind.platform ?? guess.kind.backend} models`;
    problems.push(new UserInputError(`${file}: no config.pbtxt in ${shown(folder)}/; ${why}; ${configHint}`, { file }));
    return undefined;
  }
  const served = guess.versions[guess.versions.length - 1];
  const graphFile = onnxGraphFile(served.entry, inside);
  if (!graphFile) {
    problems.push(new UserInputError(`${shown(served.entry.path)}/: holds no model.onnx`, { file: shown(served.entry.path) }));
    return undefined;
  }
  const graph = await readGraph(graphFile, shown, problems);
  if (!graph) return undefined;
  const completed = completeOnnxSignature({ maxBatchSize: 0, inputs: [], outputs: [] }, graph);
  for (const p of completed.problems) {
    problems.push(new UserInputError(`${shown(graphFile.path)}: ${p.message}; ${configHint}`, { file: shown(graphFile.path) }));
  }
  return {
    name: folder,
    platform: 'onnxruntime_onnx',
    backend: 'onnxruntime',
    maxBatchSize: completed.maxBatchSize,
    inputs: completed.inputs,
    outputs: completed.outputs,
    autoCompleted: ['platform onnxruntime_onnx', ...completed.filled],
    versions: guess.versions.map((v) => v.version),
    modelFiles: guess.versions.map((v) => v.entry.path),
  };
}
