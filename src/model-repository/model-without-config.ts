// A model folder without config.pbtxt: Triton (auto-complete on, the default) picks the backend from
// the model file's name in the version folders and lets the backend fill in the rest. Only the
// onnxruntime backend can be followed here (the ONNX graph is read); see
// docs/adr/014-triton-auto-complete.md for why the others are refused.
// Layout: https://github.com/triton-inference-server/server/blob/main/docs/user_guide/model_repository.md

import { MODEL_KINDS, ModelKind } from './model-platforms';
import { TreeEntry } from './repository-tree';

export interface VersionFile {
  version: number;
  /** the model file (or folder) Triton loads, posix relative to the repository root */
  entry: TreeEntry;
}

export interface ModelFileGuess {
  kind?: ModelKind;
  /** ascending by version */
  versions: VersionFile[];
  /** relative path (a file or folder) and what is wrong there */
  problems: { path: string; message: string }[];
  warnings: { path: string; message: string }[];
}

const FILE_KINDS = MODEL_KINDS.filter((k) => k.defaultFile);

/** `entries` are the tree entries inside `model/` (paths relative to the repository root). */
export function guessModelWithoutConfig(model: string, entries: TreeEntry[]): ModelFileGuess {
  const problems: ModelFileGuess['problems'] = [];
  const warnings: ModelFileGuess['warnings'] = [];
  const childrenOf = (dir: string): TreeEntry[] => entries.filter((e) => e.path.startsWith(`${dir}/`) && !e.path.slice(dir.length + 1).includes('/'));
  const names = FILE_KINDS.map((k) => k.defaultFile).join(', ');

  const versionDirs: { version: number; path: string }[] = [];
  for (const child of childrenOf(model)) {
    const base = child.path.slice(model.length + 1);
    if (child.kind === 'dir' && /^[0-9]+$/.test(base)) versionDirs.push({ version: Number(base), path: child.path });
    else if (child.kind === 'dir') warnings.push({ path: `${child.path}/`, message: 'not a numeric version folder; Triton ignores it (it is still uploaded)' });
  }
  versionDirs.sort((a, b) => a.version - b.version);
  if (versionDirs.length === 0) {
    problems.push({ path: `${model}/`, message: `has no config.pbtxt and no version folder; Triton needs ${model}/1/model.onnx (or a config.pbtxt and ${model}/1/<model file>)` });
    return { versions: [], problems, warnings };
  }

  const versions: VersionFile[] = [];
  const kinds = new Set<ModelKind>();
  for (const dir of versionDirs) {
    const inside = childrenOf(dir.path);
    const found = FILE_KINDS.flatMap((kind) => {
      const entry = inside.find((e) => e.path === `${dir.path}/${kind.defaultFile}`);
      return entry ? [{ kind, entry }] : [];
    });
    const distinct = [...new Set(found.map((f) => f.entry.path))];
    if (distinct.length === 0) {
      const present = inside.slice(0, 5).map((e) => e.path.slice(dir.path.length + 1) + (e.kind === 'dir' ? '/' : ''));
      problems.push({ path: `${dir.path}/`, message: `holds no model file Triton recognises (${names})${present.length ? `; found: ${present.join(', ')}` : ''}` });
    } else if (distinct.length > 1) {
      problems.push({
        path: `${dir.path}/`,
        message: `holds ${distinct.map((p) => p.slice(dir.path.length + 1)).join(' and ')}; without config.pbtxt Triton picks the backend from the file name, so keep one model file or add ${model}/config.pbtxt naming the platform`,
      });
    } else {
      // model.savedmodel is TensorFlow whatever the platform guess said; both tensorflow kinds share the backend.
      kinds.add(found[0].kind);
      versions.push({ version: dir.version, entry: found[0].entry });
    }
  }
  if (kinds.size > 1) {
    const seen = versions.map((v) => v.entry.path.slice(model.length + 1)).join(', ');
    problems.push({ path: `${model}/`, message: `its versions hold different kinds of model (${seen}); without config.pbtxt Triton cannot serve them as one model` });
  }
  return { kind: kinds.size === 1 ? [...kinds][0] : undefined, versions, problems, warnings };
}
