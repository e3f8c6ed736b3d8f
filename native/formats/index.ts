export { FormatError, numel, toFloat32 } from './tensor.js';
export type { DType, HostTensor, TensorData } from './tensor.js';
export { openSafetensors, writeSafetensors } from './safetensors.js';
export type { SafetensorsEntry, SafetensorsFile } from './safetensors.js';
export { readTorchCheckpoint } from './torch.js';
export type { TorchCheckpoint } from './torch.js';
export { readNpy, readNpz } from './numpy.js';
