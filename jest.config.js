/**
 * Two projects: unit tests (parallel) and integration tests against the local Azure test bed
 * (run in band by scripts/test.sh: each file starts its own test bed with dockerd).
 * The environment shares Node's typed-array constructors with the sandbox, which onnxruntime-node needs.
 */
const common = {
  preset: 'ts-jest',
  testEnvironment: '<rootDir>/__tests__/unit/onnx-models/onnxruntime-environment.ts',
};

module.exports = {
  testTimeout: 180000,
  projects: [
    { ...common, displayName: 'unit', roots: ['<rootDir>/__tests__/unit'], testMatch: ['**/*.test.ts'] },
    { ...common, displayName: 'integration', roots: ['<rootDir>/__tests__/integration'], testMatch: ['**/*.test.ts'] },
  ],
};
