// Loads a Triton model repository (<model>/config.pbtxt + <version>/<model file>) the way Triton's
// default policy does (latest version only), serving ONNX models with onnxruntime on CPU.
// Auto-complete is on, as in Triton since 22.x: a folder without config.pbtxt is served from its
// model file's name, and missing inputs/outputs/max_batch_size come from the onnxruntime session.
import * as fs from 'fs';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { TritonModelConfig, TritonTensorConfig, parseTritonModelConfig } from './triton-model-config';
import { wireDatatypeOfOrtType } from './triton-datatypes';

export interface ServedModel {
  name: string;
  /** The version directory served (the highest number), if any. */
  version?: string;
  /** What auto-complete filled in (the configuration endpoint reports it as Triton does). */
  autoCompleted?: boolean;
  platform: string;
  backend: string;
  state: 'READY' | 'UNAVAILABLE';
  reason?: string;
  config?: TritonModelConfig;
  maxBatchSize: number;
  inputs: TritonTensorConfig[];
  outputs: TritonTensorConfig[];
  session?: ort.InferenceSession;
}

const ONNX = { platform: 'onnxruntime_onnx', backend: 'onnxruntime', file: 'model.onnx' };
const DEFAULT_FILE_OF_PLATFORM: Record<string, string> = {
  onnxruntime_onnx: 'model.onnx',
  tensorrt_plan: 'model.plan',
  pytorch_libtorch: 'model.pt',
  tensorflow_savedmodel: 'model.savedmodel',
  tensorflow_graphdef: 'model.graphdef',
};
const PLATFORM_OF_BACKEND: Record<string, string> = {
  onnxruntime: 'onnxruntime_onnx',
  tensorrt: 'tensorrt_plan',
  pytorch: 'pytorch_libtorch',
};

/** Triton's `default-max-batch-size` backend setting (4 unless the server is started otherwise). */
const DEFAULT_MAX_BATCH_SIZE = 4;

/**
 * Every `<dir>/<model>/` with a config.pbtxt or a numeric version folder, sorted by name; a model
 * that cannot load is UNAVAILABLE with a reason.
 */
export async function loadServedModels(dir: string): Promise<ServedModel[]> {
  const entries = await fs.promises.readdir(dir, { withFileTypes: true });
  const isModel = (name: string): boolean =>
    fs.existsSync(path.join(dir, name, 'config.pbtxt')) || highestVersion(path.join(dir, name)) !== undefined;
  const names = entries
    .filter((e) => e.isDirectory() && isModel(e.name))
    .map((e) => e.name)
    .sort();
  return Promise.all(names.map((name) => loadServedModel(path.join(dir, name), name)));
}

async function loadServedModel(modelDir: string, name: string): Promise<ServedModel> {
  const unavailable = (reason: string, partial: Partial<ServedModel> = {}): ServedModel => ({
    name, platform: '', backend: '', maxBatchSize: 0, inputs: [], outputs: [], ...partial, state: 'UNAVAILABLE', reason,
  });
  const configFile = path.join(modelDir, 'config.pbtxt');
  let config: TritonModelConfig;
  try {
    // No config.pbtxt: Triton starts from an empty configuration and auto-completes it.
    const text = fs.existsSync(configFile) ? await fs.promises.readFile(configFile, 'utf8') : '';
    config = parseTritonModelConfig(text, configFile);
  } catch (e) {
    return unavailable(`failed to parse config.pbtxt: ${(e as Error).message}`);
  }
  const version = highestVersion(modelDir);
  const platform = config.platform ?? PLATFORM_OF_BACKEND[config.backend ?? ''] ?? guessPlatform(modelDir, version);
  const backend = config.backend ?? (platform === ONNX.platform ? ONNX.backend : platform.split('_')[0]);
  const known: Partial<ServedModel> = {
    version, platform, backend, config, maxBatchSize: config.maxBatchSize, inputs: config.inputs, outputs: config.outputs,
  };
  if (config.name !== undefined && config.name !== name) {
    return unavailable(`config.pbtxt names the model '${config.name}' but its directory is '${name}'`, known);
  }
  if (platform !== ONNX.platform) {
    const why = platform === 'tensorrt_plan' ? 'TensorRT plans need an NVIDIA GPU' : `platform '${platform || 'unknown'}' is not available`;
    return unavailable(`${why}; this server runs ONNX models with onnxruntime on CPU only`, known);
  }
  const file = config.defaultModelFilename ?? ONNX.file;
  const modelPath = version === undefined ? undefined : path.join(modelDir, version, file);
  if (modelPath === undefined || !fs.existsSync(modelPath)) {
    return unavailable(`no version directory (e.g. ${name}/1/) holds ${file}`, known);
  }
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
  } catch (e) {
    return unavailable(`onnxruntime failed to load ${path.relative(path.dirname(modelDir), modelPath)}: ${(e as Error).message}`, known);
  }
  // The onnxruntime backend completes only a config missing inputs or outputs (max_batch_size too, then).
  const autoCompleted = config.inputs.length === 0 || config.outputs.length === 0;
  let maxBatchSize = config.maxBatchSize;
  if (autoCompleted) {
    const canBatch = [...session.inputMetadata, ...session.outputMetadata].every((m) => m.isTensor && m.shape.length > 0 && (typeof m.shape[0] === 'string' || m.shape[0] === -1));
    if (canBatch && maxBatchSize === 0) maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
    if (!canBatch && maxBatchSize !== 0) {
      await session.release();
      return unavailable(`autofill failed for model '${name}': model does not support batching while non-zero max_batch_size is specified`, known);
    }
  }
  const inputs = config.inputs.length > 0 ? config.inputs : tensorsFromModel(session.inputMetadata, maxBatchSize);
  const outputs = config.outputs.length > 0 ? config.outputs : tensorsFromModel(session.outputMetadata, maxBatchSize);
  const mismatch = configMismatch(inputs, session.inputNames, 'input') ?? configMismatch(outputs, session.outputNames, 'output');
  if (mismatch) {
    await session.release();
    return unavailable(mismatch, known);
  }
  return { ...known, name, platform, backend, maxBatchSize, inputs, outputs, autoCompleted, session, state: 'READY' };
}

function highestVersion(modelDir: string): string | undefined {
  const versions = fs
    .readdirSync(modelDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^\d+$/.test(e.name))
    .map((e) => Number(e.name));
  return versions.length > 0 ? String(Math.max(...versions)) : undefined;
}

/** Triton auto-completes the platform from the model file when config.pbtxt names none. */
function guessPlatform(modelDir: string, version: string | undefined): string {
  if (version === undefined) return '';
  const files = fs.readdirSync(path.join(modelDir, version));
  return Object.keys(DEFAULT_FILE_OF_PLATFORM).find((p) => files.includes(DEFAULT_FILE_OF_PLATFORM[p])) ?? '';
}

/** Triton's auto-complete for ONNX: tensors from the model itself (batch dimension dropped when batching). */
function tensorsFromModel(metadata: readonly ort.InferenceSession.ValueMetadata[], maxBatchSize: number): TritonTensorConfig[] {
  return metadata.map((m) => {
    const datatype = m.isTensor ? wireDatatypeOfOrtType(m.type) : undefined;
    const shape = m.isTensor ? m.shape.map((d) => (typeof d === 'number' ? d : -1)) : [];
    return { name: m.name, datatype: datatype ?? 'FP32', dims: maxBatchSize > 0 ? shape.slice(1) : shape };
  });
}

/** Triton refuses to load a model whose config names tensors the model does not have. */
function configMismatch(tensors: TritonTensorConfig[], modelNames: readonly string[], kind: string): string | undefined {
  const stray = tensors.find((t) => !modelNames.includes(t.name));
  if (!stray) return undefined;
  return `unexpected inference ${kind} '${stray.name}', allowed ${kind}s are: ${modelNames.join(', ')}`;
}
