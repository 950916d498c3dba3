// Which file each Triton backend loads from a version folder, and which platform strings go with
// which backend. Sources: model_config.proto (`default_model_filename`: model.graphdef,
// model.savedmodel, model.plan, model.pt) and the Triton backend docs (model.onnx, model.xml,
// model.py). A model file may also be a directory where the backend allows it.

export interface ModelKind {
  /** The `platform` value, when the backend uses one. */
  platform?: string;
  /** The `backend` value; undefined for ensembles (they run in Triton's core). */
  backend?: string;
  /** File (or folder) each version folder must hold; undefined when none (ensembles). */
  defaultFile?: string;
  /** May `defaultFile` be a directory (SavedModel always; ONNX with external weights)? */
  fileMayBeDirectory?: boolean;
}

export const MODEL_KINDS: ModelKind[] = [
  { platform: 'tensorrt_plan', backend: 'tensorrt', defaultFile: 'model.plan' },
  { platform: 'onnxruntime_onnx', backend: 'onnxruntime', defaultFile: 'model.onnx', fileMayBeDirectory: true },
  { platform: 'pytorch_libtorch', backend: 'pytorch', defaultFile: 'model.pt' },
  { platform: 'tensorflow_savedmodel', backend: 'tensorflow', defaultFile: 'model.savedmodel', fileMayBeDirectory: true },
  { platform: 'tensorflow_graphdef', backend: 'tensorflow', defaultFile: 'model.graphdef' },
  { platform: 'ensemble', defaultFile: undefined },
  { backend: 'openvino', defaultFile: 'model.xml' },
  { backend: 'python', defaultFile: 'model.py' },
];

export const KNOWN_PLATFORMS = MODEL_KINDS.flatMap((k) => (k.platform ? [k.platform] : []));
export const KNOWN_BACKENDS = [...new Set(MODEL_KINDS.flatMap((k) => (k.backend ? [k.backend] : [])))];

/** The kinds a platform/backend pair can mean (tensorflow without platform: two). Empty if unknown. */
export function modelKindsFor(platform: string | undefined, backend: string | undefined): ModelKind[] {
  if (platform) return MODEL_KINDS.filter((k) => k.platform === platform);
  return MODEL_KINDS.filter((k) => k.backend === backend);
}
