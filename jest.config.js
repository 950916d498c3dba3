/** Unit tests run in parallel; integration tests share one test bed and run in band (see .ci/run). */
module.exports = {
  preset: 'ts-jest',
  // Shares Node's typed-array constructors with the sandbox, which onnxruntime-node needs (see the file).
  testEnvironment: '<rootDir>/__tests__/unit/onnx-models/onnxruntime-environment.ts',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
  testTimeout: 120000,
};
