import * as fs from 'fs';
import * as path from 'path';
import { UserInputError } from '../../../src/errors';
import { defaultClusteringConfig, loadClusteringConfig } from '../../../src/smoke-test/clustering-config';

const FIXTURES = path.resolve(__dirname, '../../../../shared/reference/fixtures');
const REAL_FILES: [string, string[]][] = [
  ['tao-toolkit-triton-apps/tao_triton/python/clustering_specs/clustering_config_peoplenet.prototxt', ['person', 'bag', 'face']],
  ['tao-toolkit-triton-apps/tao_triton/python/clustering_specs/clustering_config_dashcamnet.prototxt', ['car', 'bicycle', 'person', 'road_sign']],
  ['tao-toolkit-triton-apps/tao_triton/python/clustering_specs/clustering_config_nota.prototxt', ['bicycle', 'bus', 'car', 'motorcycle', 'pedestrian', 'truck']],
  ['nvidia-azureml-tao-detectnet_v2/scripts/auxiliary_files/clustering_config_detectnet.prototxt', ['car', 'cyclist', 'pedestrian']],
];

function load(text: string, file = 'clustering.prototxt') {
  return loadClusteringConfig(text, file);
}

function errorOf(text: string): UserInputError {
  try {
    load(text);
  } catch (e) {
    if (e instanceof UserInputError) return e;
    throw e;
  }
  throw new Error('expected a UserInputError');
}

describe('loadClusteringConfig', () => {
  it.each(REAL_FILES)('loads NVIDIA\'s %s', (rel, classes) => {
    const file = path.join(FIXTURES, rel);
    const config = loadClusteringConfig(fs.readFileSync(file, 'utf8'), file);
    expect([...config.classes.keys()]).toEqual(classes);
    expect(config.stride).toBe(16);
    expect(config.linewidth).toBe(4);
    expect(config.file).toBe(file);
    for (const c of config.classes.values()) {
      expect(c).toMatchObject({
        coverageThreshold: 0.005,
        minimumBoundingBoxHeight: 4,
        dbscanEps: 0.3,
        dbscanMinSamples: 0.05,
        algorithm: 'DBSCAN',
      });
      expect([0.2, 0.7, 0.9]).toContain(c.dbscanConfidenceThreshold);
    }
  });

  it('reads per-class values and colours from the PeopleNet file', () => {
    const file = path.join(FIXTURES, REAL_FILES[0][0]);
    const config = loadClusteringConfig(fs.readFileSync(file, 'utf8'), file);
    expect(config.classes.get('face')?.dbscanConfidenceThreshold).toBeCloseTo(0.7);
    expect(config.classes.get('bag')?.bboxColor).toEqual([0, 0, 255]);
  });

  it('refuses the CenterPose config (a different message) at its first line', () => {
    const file = path.join(FIXTURES, 'tao-toolkit-triton-apps/tao_triton/python/clustering_specs/clustering_config_centerpose.prototxt');
    expect(() => loadClusteringConfig(fs.readFileSync(file, 'utf8'), file)).toThrow(
      `${file}:1:1: unknown field 'visualization_threshold' in PostprocessingConfig`,
    );
  });

  it.each([
    ['an unknown class field', 'classwise_clustering_config {\n  key: "car"\n  value {\n    coverage_treshold: 0.1\n  }\n}', 4, /unknown field 'coverage_treshold' in ClusteringConfig; expected one of: coverage_threshold/],
    ['an unknown DBSCAN field', 'classwise_clustering_config {\n  key: "car"\n  value { dbscan_config {\n eps: 0.3 } }\n}', 4, /unknown field 'eps' in DBSCANConfig/],
    ['a string where a number belongs', 'stride: 16\nclasswise_clustering_config { key: "car" value { coverage_threshold: "0.1" } }', 2, /coverage_threshold is "0.1"; expected a number/],
    ['a fraction where an integer belongs', 'linewidth: 2.5', 1, /linewidth is 2.5; expected an integer/],
    ['an entry without a key', 'linewidth: 4\nclasswise_clustering_config { value { } }', 2, /has no key/],
    ['an unknown algorithm', 'classwise_clustering_config { key: "car" value {\nclustering_algorithm: OPTICS } }', 2, /expected one of DBSCAN, NMS, HYBRID/],
    [
      "TAO's MLP confidence model, which TAO's own inference refuses",
      'classwise_clustering_config { key: "car" value {\n\n confidence_model: "mlp" } }',
      3,
      /confidence_model is "mlp" \(TAO's own inference refuses it too.*\); expected one of aggregate_cov, mean_cov/,
    ],
    ['an unknown confidence model', 'classwise_clustering_config { key: "car" value { confidence_model: "max_cov" } }', 1, /expected one of aggregate_cov, mean_cov/],
  ])('reports %s with the file and line', (_what, text, line, message) => {
    const err = errorOf(text);
    expect(err.message).toMatch(message);
    expect(err.message.startsWith(`clustering.prototxt:${line}:`)).toBe(true);
    expect(err.where).toMatchObject({ file: 'clustering.prototxt', line });
  });

  it('passes on syntax errors from the text-format parser with the file and line', () => {
    const err = errorOf('linewidth: 4\nstride 16');
    expect(err.where).toMatchObject({ file: 'clustering.prototxt', line: 2 });
  });

  it('accepts TAO training-spec NMS settings and leaves left-out fields at zero', () => {
    const config = load(
      'classwise_clustering_config { key: "car" value { clustering_algorithm: NMS nms_iou_threshold: 0.4 nms_confidence_threshold: 0.3 } }',
    );
    expect(config.classes.get('car')).toMatchObject({
      algorithm: 'NMS',
      nmsIouThreshold: 0.4,
      nmsConfidenceThreshold: 0.3,
      coverageThreshold: 0,
      dbscanEps: 0,
    });
    expect(config.stride).toBe(16);
    expect(config.linewidth).toBe(0);
  });
});

describe('defaultClusteringConfig', () => {
  it('gives every label the values NVIDIA\'s sample files use', () => {
    const config = defaultClusteringConfig(['car', 'person']);
    expect([...config.classes.keys()]).toEqual(['car', 'person']);
    expect(config.classes.get('person')).toMatchObject({
      coverageThreshold: 0.005,
      minimumBoundingBoxHeight: 4,
      dbscanEps: 0.3,
      dbscanMinSamples: 0.05,
      dbscanConfidenceThreshold: 0.9,
    });
    expect(config.stride).toBe(16);
    expect(config.file).toBeUndefined();
  });

  it('reads HYBRID clustering and the mean_cov confidence model, and the lines of the thresholds', () => {
    const config = load(
      [
        'classwise_clustering_config {',
        '  key: "person"',
        '  value {',
        '    clustering_algorithm: HYBRID',
        '    confidence_model: "mean_cov"',
        '    nms_confidence_threshold: 0.2',
        '    dbscan_config { dbscan_eps: 0.3 dbscan_min_samples: 0.05',
        '      dbscan_confidence_threshold: 0.4 }',
        '  }',
        '}',
      ].join('\n'),
    );
    expect(config.classes.get('person')).toMatchObject({
      algorithm: 'HYBRID',
      confidenceModel: 'mean_cov',
      nmsConfidenceThreshold: 0.2,
      dbscanConfidenceThreshold: 0.4,
      lines: { nmsConfidenceThreshold: 6, dbscanConfidenceThreshold: 8 },
    });
  });

  it('scores clusters by summed coverage unless the file says otherwise', () => {
    const file = path.join(FIXTURES, REAL_FILES[3][0]);
    const config = loadClusteringConfig(fs.readFileSync(file, 'utf8'), file);
    expect([...config.classes.values()].map((c) => c.confidenceModel)).toEqual(['aggregate_cov', 'aggregate_cov', 'aggregate_cov']);
  });
});
