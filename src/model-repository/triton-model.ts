/** One file of the repository as uploaded. */
export interface RepoFile {
  /** posix, relative to the repository root */
  path: string;
  size: number;
  /** lowercase hex sha256 of the contents */
  sha256: string;
}

export interface TensorSpec {
  name: string;
  /** as in config.pbtxt, e.g. 'TYPE_FP32' */
  dataType: string;
  /** without the batch dimension when maxBatchSize > 0; -1 is a variable-size dimension */
  dims: number[];
  /** inputs only, when set: 'FORMAT_NCHW' | 'FORMAT_NHWC' | 'FORMAT_NONE' */
  format?: string;
  /** the shape the model itself sees, when config.pbtxt sets `reshape` (empty: a scalar) */
  reshape?: number[];
}

export interface TritonModel {
  /** the model folder's name (config `name` is equal or absent) */
  name: string;
  /** posix, relative to the repository root: '<model>/config.pbtxt'; absent when Triton auto-completes it all */
  configFile?: string;
  /** what Triton's auto-complete fills in, read from the model file, e.g. ['max_batch_size 4', 'input', 'output'] */
  autoCompleted?: string[];
  /** as configured */
  platform?: string;
  /** as configured, or the one the platform implies (tensorrt_plan -> 'tensorrt') */
  backend?: string;
  maxBatchSize: number;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** numeric version folders, ascending */
  versions: number[];
  /** posix paths relative to the root of each version's model file or folder, by version */
  modelFiles: string[];
}

export interface ModelRepository {
  /** the root as given */
  root: string;
  models: TritonModel[];
  /** every file inside a model folder, sorted by path; what gets uploaded */
  files: RepoFile[];
  /** see repositoryContentHash in content-hash.ts for the exact bytes hashed */
  contentHash: string;
  /** things left out or ignored that the user may want to know about */
  warnings: string[];
}
