// DetectNet_v2 post-processing settings in the tao-toolkit-triton-apps clustering_specs format:
// a text-format PostprocessingConfig from tao_triton/python/proto/postprocessor_config.proto.
// Like protobuf (proto3), a field left out is zero.

import { UserInputError } from '../errors';
import {
  TextProtoField,
  TextProtoMessage,
  isTextProtoEnum,
  isTextProtoMessage,
  parseTextProto,
} from '../protobuf-text/parse-text-proto';

export type ClusteringAlgorithm = 'DBSCAN' | 'NMS' | 'HYBRID';

/**
 * How a DBSCAN cluster is scored (TAO's BboxHandlerConfig.confidence_model, utilities.py):
 * aggregate_cov is the summed coverage of its cells, mean_cov is (mean - min) / (max - min) of them.
 */
export type ConfidenceModel = 'aggregate_cov' | 'mean_cov';

/** One class's ClusteringConfig (with its DBSCANConfig flattened in). */
export interface ClassClusteringConfig {
  /** Grid cells whose coverage is not above this are ignored. */
  coverageThreshold: number;
  /** A cluster's box must be taller than this, in pixels of the original image. */
  minimumBoundingBoxHeight: number;
  dbscanEps: number;
  /**
   * Compared with the sum of the coverage of a point's neighbours, not a count, after TAO's
   * max(int(x), 1): 0.05 means 1 (see detectnet-v2-postprocess.ts).
   */
  dbscanMinSamples: number;
  /** A cluster is kept when its confidence (per confidenceModel) is above this. */
  dbscanConfidenceThreshold: number;
  neighborhoodSize: number;
  /**
   * Not in the triton-apps proto: TAO's spec names (`clustering_algorithm: NMS` or `HYBRID`,
   * `nms_iou_threshold`, `nms_confidence_threshold`), accepted so a model trained with NMS or
   * hybrid clustering can be checked the same way.
   */
  algorithm: ClusteringAlgorithm;
  nmsIouThreshold: number;
  nmsConfidenceThreshold: number;
  /** Not in the triton-apps proto either: TAO inference's `confidence_model`, read here per class. */
  confidenceModel: ConfidenceModel;
  bboxColor?: [number, number, number];
  /** Lines of the thresholds in the file, so messages can point at the one that decided. */
  lines?: { dbscanConfidenceThreshold?: number; nmsConfidenceThreshold?: number };
}

export interface ClusteringConfig {
  classes: Map<string, ClassClusteringConfig>;
  linewidth: number;
  /** Output grid stride in model-input pixels; 16 when the file leaves it out. */
  stride: number;
  /** Where it was read from, for error messages; undefined for the built-in defaults. */
  file?: string;
}

/** The values NVIDIA's sample clustering files use for most classes. */
export const TAO_DEFAULT_CLASS_CLUSTERING: Readonly<ClassClusteringConfig> = {
  coverageThreshold: 0.005,
  minimumBoundingBoxHeight: 4,
  dbscanEps: 0.3,
  dbscanMinSamples: 0.05,
  dbscanConfidenceThreshold: 0.9,
  neighborhoodSize: 0,
  algorithm: 'DBSCAN',
  nmsIouThreshold: 0.5,
  nmsConfidenceThreshold: 0,
  confidenceModel: 'aggregate_cov',
};

export function defaultClusteringConfig(labels: readonly string[]): ClusteringConfig {
  return {
    classes: new Map(labels.map((l) => [l, { ...TAO_DEFAULT_CLASS_CLUSTERING }])),
    linewidth: 4,
    stride: 16,
  };
}

/** @throws UserInputError with file and line for syntax errors, unknown fields and wrong value types. */
export function loadClusteringConfig(text: string, file: string): ClusteringConfig {
  const root = parseTextProto(text, file);
  const read = new FieldReader(file);
  const config: ClusteringConfig = { classes: new Map(), linewidth: 0, stride: 16, file };
  for (const f of root.fields) {
    switch (f.name) {
      case 'linewidth':
        config.linewidth = read.int(f);
        break;
      case 'stride':
        config.stride = read.int(f) || 16;
        break;
      case 'classwise_clustering_config': {
        const entry = read.message(f);
        let key: string | undefined;
        let value: ClassClusteringConfig = emptyClassConfig();
        for (const ef of entry.fields) {
          if (ef.name === 'key') key = read.string(ef);
          else if (ef.name === 'value') value = readClassConfig(read.message(ef), read);
          else throw read.unknown(ef, 'a classwise_clustering_config entry', ['key', 'value']);
        }
        if (key === undefined) {
          throw new UserInputError(`${file}:${f.line}: classwise_clustering_config has no key; expected key: "<class name>"`, {
            file,
            line: f.line,
            column: f.column,
          });
        }
        config.classes.set(key, value);
        break;
      }
      default:
        throw read.unknown(f, 'PostprocessingConfig', ['classwise_clustering_config', 'linewidth', 'stride']);
    }
  }
  return config;
}

function emptyClassConfig(): ClassClusteringConfig {
  return {
    coverageThreshold: 0,
    minimumBoundingBoxHeight: 0,
    dbscanEps: 0,
    dbscanMinSamples: 0,
    dbscanConfidenceThreshold: 0,
    neighborhoodSize: 0,
    algorithm: 'DBSCAN',
    nmsIouThreshold: 0,
    nmsConfidenceThreshold: 0,
    confidenceModel: 'aggregate_cov',
  };
}

const CLASS_FIELDS = [
  'coverage_threshold',
  'minimum_bounding_box_height',
  'dbscan_config',
  'bbox_color',
  'clustering_algorithm',
  'nms_iou_threshold',
  'nms_confidence_threshold',
  'confidence_model',
];

const CONFIDENCE_MODELS: readonly ConfidenceModel[] = ['aggregate_cov', 'mean_cov'];

function readClassConfig(msg: TextProtoMessage, read: FieldReader): ClassClusteringConfig {
  const c = emptyClassConfig();
  for (const f of msg.fields) {
    switch (f.name) {
      case 'coverage_threshold':
        c.coverageThreshold = read.float(f);
        break;
      case 'minimum_bounding_box_height':
        c.minimumBoundingBoxHeight = read.int(f);
        break;
      case 'nms_iou_threshold':
        c.nmsIouThreshold = read.float(f);
        break;
      case 'nms_confidence_threshold':
        c.nmsConfidenceThreshold = read.float(f);
        c.lines = { ...c.lines, nmsConfidenceThreshold: f.line };
        break;
      case 'clustering_algorithm':
        c.algorithm = read.enumOf(f, ['DBSCAN', 'NMS', 'HYBRID']) as ClusteringAlgorithm;
        break;
      case 'confidence_model':
        c.confidenceModel = read.confidenceModel(f);
        break;
      case 'dbscan_config':
        for (const d of read.message(f).fields) {
          if (d.name === 'dbscan_eps') c.dbscanEps = read.float(d);
          else if (d.name === 'dbscan_min_samples') c.dbscanMinSamples = read.float(d);
          else if (d.name === 'neighborhood_size') c.neighborhoodSize = read.int(d);
          else if (d.name === 'dbscan_confidence_threshold') {
            c.dbscanConfidenceThreshold = read.float(d);
            c.lines = { ...c.lines, dbscanConfidenceThreshold: d.line };
          } else {
            throw read.unknown(d, 'DBSCANConfig', [
              'dbscan_eps',
              'dbscan_min_samples',
              'neighborhood_size',
              'dbscan_confidence_threshold',
            ]);
          }
        }
        break;
      case 'bbox_color': {
        const rgb: [number, number, number] = [0, 0, 0];
        for (const d of read.message(f).fields) {
          const i = ['R', 'G', 'B'].indexOf(d.name);
          if (i < 0) throw read.unknown(d, 'BboxColor', ['R', 'G', 'B']);
          rgb[i] = read.int(d);
        }
        c.bboxColor = rgb;
        break;
      }
      default:
        throw read.unknown(f, 'ClusteringConfig', CLASS_FIELDS);
    }
  }
  return c;
}

/** Type checks for one field's value, each failing with the file and line. */
class FieldReader {
  constructor(private readonly file: string) {}

  private fail(f: TextProtoField, expected: string): UserInputError {
    const shown = isTextProtoMessage(f.value)
      ? 'a message'
      : isTextProtoEnum(f.value)
        ? f.value.enum
        : JSON.stringify(f.value);
    return new UserInputError(`${this.file}:${f.line}:${f.column}: ${f.name} is ${shown}; expected ${expected}`, {
      file: this.file,
      line: f.line,
      column: f.column,
    });
  }

  unknown(f: TextProtoField, where: string, known: string[]): UserInputError {
    return new UserInputError(
      `${this.file}:${f.line}:${f.column}: unknown field '${f.name}' in ${where}; expected one of: ${known.join(', ')}`,
      { file: this.file, line: f.line, column: f.column },
    );
  }

  float(f: TextProtoField): number {
    if (typeof f.value !== 'number') throw this.fail(f, 'a number');
    return f.value;
  }

  int(f: TextProtoField): number {
    if (typeof f.value !== 'number' || !Number.isInteger(f.value)) throw this.fail(f, 'an integer');
    return f.value;
  }

  string(f: TextProtoField): string {
    if (typeof f.value !== 'string') throw this.fail(f, 'a quoted string');
    return f.value;
  }

  message(f: TextProtoField): TextProtoMessage {
    if (!isTextProtoMessage(f.value)) throw this.fail(f, 'a message in { }');
    return f.value;
  }

  /** TAO writes it as a string ("aggregate_cov"); an identifier is taken too. 'mlp' is refused as TAO's inference refuses it. */
  confidenceModel(f: TextProtoField): ConfidenceModel {
    const v = typeof f.value === 'string' ? f.value : isTextProtoEnum(f.value) ? f.value.enum : undefined;
    if (v !== undefined && (CONFIDENCE_MODELS as readonly string[]).includes(v)) return v as ConfidenceModel;
    const why = v === 'mlp' ? " (TAO's own inference refuses it too: an MLP confidence model is not supported)" : '';
    throw new UserInputError(
      `${this.file}:${f.line}:${f.column}: confidence_model is ${JSON.stringify(v ?? f.value)}${why}; expected one of ${CONFIDENCE_MODELS.join(', ')}`,
      { file: this.file, line: f.line, column: f.column },
    );
  }

  enumOf(f: TextProtoField, allowed: string[]): string {
    if (!isTextProtoEnum(f.value) || !allowed.includes(f.value.enum)) throw this.fail(f, `one of ${allowed.join(', ')}`);
    return f.value.enum;
  }
}
