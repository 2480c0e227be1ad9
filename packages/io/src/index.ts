/**
 * `@twostep/io`: twostep networks in and out of other tools' formats (ONNX, TensorFlow.js
 * Layers) and storage (files, IndexedDB, localStorage, URLs). The native format stays the
 * core's `serialize`/`deserialize`.
 */
export { makeFolder, temporaryOf, writeFileAtomic } from './files.js';
export {
  fromLayers,
  LAYERS_WEIGHTS_FILE,
  type LayersDense,
  type LayersLeakyReLU,
  type LayersModelJson,
  type LayersWeightSpec,
  type ToLayersOptions,
  toLayers,
} from './layers.js';
export {
  fromOnnx,
  ONNX_OPSET,
  type OnnxExportOptions,
  type OnnxImportOptions,
  toOnnx,
} from './onnx.js';
export {
  DEFAULT_MAX_BYTES,
  type LoadOptions,
  loadModel,
  MODEL_FORMATS,
  type ModelFormat,
  type SaveOptions,
  type SaveResult,
  StorageError,
  type StorageErrorKind,
  saveModel,
} from './storage.js';
