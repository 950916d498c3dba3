// Validates a Triton model repository before anything is uploaded, and hashes what will be.
// Every problem is collected and thrown at once, so one run shows them all.

import * as fs from 'fs';
import * as path from 'path';
import { readLimitedTextFile } from '../config/input-limits';
import { UserInputError, UserInputErrors } from '../errors';
import { parseTextProto } from '../protobuf-text/parse-text-proto';
import { checkModelConfig } from './check-model-config';
import { checkModelFolder } from './check-model-folder';
import { mapWithConcurrency, repositoryContentHash, sha256OfFile } from './content-hash';
import { TreeEntry, readRepositoryTree } from './repository-tree';
import { ModelRepository, RepoFile, TritonModel } from './triton-model';

export type { ModelRepository, RepoFile, TensorSpec, TritonModel } from './triton-model';
export { modelConfigToJson } from './model-config-json';
export { readOnnxMetadata } from './onnx-metadata';
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
    sha256: await sha256OfFile(e.absPath),
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
  if (!configEntry || configEntry.kind !== 'file') {
    problems.push(new UserInputError(
      `${shown(configRel)}: not found; this action deploys with explicit model configurations, so each model folder needs one`,
      { file: shown(configRel) },
    ));
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
  return {
    name: folder,
    configFile: configRel,
    ...(facts.platform ? { platform: facts.platform } : {}),
    ...(facts.backend ? { backend: facts.backend } : {}),
    maxBatchSize: facts.maxBatchSize,
    inputs: facts.inputs,
    outputs: facts.outputs,
    versions: layout.versions,
    modelFiles: layout.modelFiles,
  };
}
