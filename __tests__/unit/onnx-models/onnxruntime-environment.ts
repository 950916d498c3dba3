/**
 * Jest environment for tests that run onnxruntime-node: the native binding creates output
 * tensors from Node's own typed-array constructors, which fail onnxruntime-common's instanceof
 * checks inside jest's separate global realm. Sharing the typed-array constructors fixes that.
 * Use with a `@jest-environment ./__tests__/unit/onnx-models/onnxruntime-environment.ts` docblock.
 */
import NodeEnvironment from 'jest-environment-node';

const TYPED_ARRAYS = [
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Int16Array',
  'Int32Array',
  'BigInt64Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Uint16Array',
  'Uint32Array',
  'BigUint64Array',
  'ArrayBuffer',
] as const;

export default class OnnxruntimeEnvironment extends NodeEnvironment {
  override async setup(): Promise<void> {
    await super.setup();
    const sandbox = this.global as unknown as Record<string, unknown>;
    for (const name of TYPED_ARRAYS) sandbox[name] = globalThis[name];
  }
}
