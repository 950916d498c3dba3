// Checks a model folder's layout against its config (pure: works on the listed tree entries).
// Layout: https://github.com/triton-inference-server/server/blob/main/docs/user_guide/model_repository.md
//   <model>/config.pbtxt, <model>/<label files>, <model>/<version>/<model file>

import { UserInputError } from '../errors';
import { problemAt } from '../protobuf-text/check-fields';
import { ConfigFacts } from './check-model-config';
import { TreeEntry } from './repository-tree';

export interface FolderCheck {
  versions: number[];
  modelFiles: string[];
  problems: UserInputError[];
  warnings: string[];
}

/**
 * `entries` are the tree entries inside `model/` (paths still relative to the repository root).
 * `configFile` is the config's path as shown to the user; `shown` turns a relative path into one.
 */
export function checkModelFolder(
  model: string,
  entries: TreeEntry[],
  facts: ConfigFacts,
  configFile: string,
  shown: (rel: string) => string = (rel) => rel,
): FolderCheck {
  const problems: UserInputError[] = [];
  const warnings: string[] = [];
  const report = (at: { line: number; column: number }, message: string): void => {
    problems.push(problemAt(configFile, at, message));
  };
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const children = (dir: string): TreeEntry[] => entries.filter((e) => e.path.startsWith(`${dir}/`) && !e.path.slice(dir.length + 1).includes('/'));

  const versionDirs: { version: number; path: string }[] = [];
  for (const child of children(model)) {
    if (child.kind !== 'dir') continue;
    const base = child.path.slice(model.length + 1);
    if (/^[0-9]+$/.test(base)) versionDirs.push({ version: Number(base), path: child.path });
    else warnings.push(`${shown(child.path)}/: not a numeric version folder; Triton ignores it (it is still uploaded)`);
  }
  versionDirs.sort((a, b) => a.version - b.version);

  const isEnsemble = facts.platform === 'ensemble';
  const expected = facts.defaultModelFilename ? [facts.defaultModelFilename] : facts.kinds.flatMap((k) => (k.defaultFile ? [k.defaultFile] : []));
  const mayBeDir = facts.kinds.some((k) => k.fileMayBeDirectory);
  const mustBeDir = facts.kinds.length > 0 && facts.kinds.every((k) => k.platform === 'tensorflow_savedmodel');

  if (versionDirs.length === 0) {
    report({ line: 1, column: 1 }, `model '${model}' has no version folder; expected ${model}/1/${expected[0] ?? ''}`);
  }
  const seenVersions = new Map<number, string>();
  const modelFiles: string[] = [];
  for (const { version, path } of versionDirs) {
    const clash = seenVersions.get(version);
    if (clash) report({ line: 1, column: 1 }, `version folders ${clash}/ and ${path}/ are both version ${version}`);
    seenVersions.set(version, path);
    const inside = children(path);
    if (inside.length === 0 && !isEnsemble) {
      report(facts.modelFileField, `version folder ${path}/ is empty; expected ${path}/${expected[0] ?? '<model file>'}`);
      continue;
    }
    if (expected.length === 0 || isEnsemble) continue;
    const found = expected.map((name) => byPath.get(`${path}/${name}`)).find((e) => e !== undefined);
    if (!found) {
      const present = inside.slice(0, 5).map((e) => e.path.slice(path.length + 1) + (e.kind === 'dir' ? '/' : ''));
      report(facts.modelFileField, `${path}/ has no ${expected.join(' or ')} (found: ${present.join(', ')}${inside.length > 5 ? ', ...' : ''})`);
    } else if (found.kind === 'dir' && !mayBeDir) {
      report(facts.modelFileField, `${found.path} is a folder; expected a file`);
    } else if (found.kind === 'file' && mustBeDir) {
      report(facts.modelFileField, `${found.path} is a file; a TensorFlow SavedModel is a folder (saved_model.pb, variables/)`);
    } else {
      modelFiles.push(found.path);
    }
  }

  for (const label of facts.labelFiles) {
    const entry = byPath.get(`${model}/${label.name}`);
    if (!entry || entry.kind !== 'file') report(label.at, `label_filename "${label.name}" is not a file in ${model}/`);
  }
  for (const { version, at } of facts.specificVersions) {
    if (!seenVersions.has(version)) report(at, `version_policy lists version ${version}, but there is no ${model}/${version}/ folder`);
  }

  return { versions: [...seenVersions.keys()], modelFiles, problems, warnings };
}
