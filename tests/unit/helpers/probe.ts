import type { DeviceProbe } from '../../../src/lib/device/types';

const GIB = 1024 ** 3;

/** A capable device (WebGPU with f16, 8 GiB, memory64), with the given parts changed. */
export function probe(
  over: Partial<DeviceProbe> & { gpu?: Partial<DeviceProbe['webgpu']> } = {}
): DeviceProbe {
  const { gpu, ...rest } = over;
  return {
    webgpu: {
      available: true,
      isFallbackAdapter: false,
      shaderF16: true,
      maxBufferSize: 2 * GIB,
      maxStorageBufferBindingSize: 2 * GIB,
      ...gpu
    },
    deviceMemoryGiB: 8,
    cores: 8,
    crossOriginIsolated: true,
    storage: { quota: 10 * GIB, usage: 0, persisted: false },
    wasmMemory64: true,
    wasmSimd: true,
    ...rest
  };
}
