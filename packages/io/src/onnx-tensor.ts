/**
 * ONNX tensors in and out: TensorProto to lazily read constants (sizes checked first, values
 * decoded only when the network is built) and float arrays to TensorProto.
 */
import { ModelFormatError } from '@twostep/core';
import { DataType, type OnnxTensor, toNumber } from './onnx-schema.js';

/** A ModelFormatError about the ONNX file: `path` names the field, `reason` the problem and fix. */
export function formatError(path: string, reason: string): ModelFormatError {
  return new ModelFormatError(`ONNX model: ${reason}.`, path, reason);
}

/** A constant tensor: initializer, Constant node, or one folded from them. */
export interface Constant {
  readonly dims: readonly number[];
  readonly size: number;
  /** Its TensorProto.DataType. */
  readonly type: number;
  /** What it is in messages: `initializer "fc1.weight"`. */
  readonly source: string;
  /** The values, row-major, as float64; throws a ModelFormatError for a non-finite float. */
  values(): Float64Array;
  /** The matrix this one is the transpose of. */
  readonly transposeOf?: Constant;
}

/** TensorProto.DataType names for messages, by value. */
const TYPE_NAMES = [
  'UNDEFINED',
  'FLOAT',
  'UINT8',
  'INT8',
  'UINT16',
  'INT16',
  'INT32',
  'INT64',
  'STRING',
  'BOOL',
  'FLOAT16',
  'DOUBLE',
  'UINT32',
  'UINT64',
  'COMPLEX64',
  'COMPLEX128',
  'BFLOAT16',
];

export const typeName = (type: number): string => TYPE_NAMES[type] ?? `data type ${type}`;

export const isFloat = (type: number): boolean =>
  type === DataType.FLOAT || type === DataType.DOUBLE;

/** Bytes per element, and how one is read from little-endian raw_data. */
const READABLE: Record<number, { bytes: number; read: (v: DataView, at: number) => number }> = {
  [DataType.FLOAT]: { bytes: 4, read: (v, at) => v.getFloat32(at, true) },
  [DataType.DOUBLE]: { bytes: 8, read: (v, at) => v.getFloat64(at, true) },
  [DataType.INT32]: { bytes: 4, read: (v, at) => v.getInt32(at, true) },
  [DataType.INT64]: { bytes: 8, read: (v, at) => Number(v.getBigInt64(at, true)) },
};

/** `[2, 3]`, with `?` for a size the file leaves open. */
export const formatShape = (dims: readonly (number | undefined)[]): string =>
  `[${dims.map((d) => d ?? '?').join(', ')}]`;

/** The shape of `t`: non-negative safe integers whose product is safe too. */
function dimsOf(t: OnnxTensor, source: string, path: string): { dims: number[]; size: number } {
  const dims = (t.dims ?? []).map(toNumber);
  let size = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0 || (d > 0 && size > Number.MAX_SAFE_INTEGER / d)) {
      throw formatError(
        path,
        `${source} has dims [${(t.dims ?? []).join(', ')}], not a shape of non-negative integers; the file is damaged`,
      );
    }
    size *= d;
  }
  return { dims, size };
}

/**
 * `t` as a constant, its size and storage checked now and its values read on demand: FLOAT and
 * DOUBLE (weights), INT32 and INT64 (shapes), in raw_data or in the field of their type.
 */
export function tensorConstant(t: OnnxTensor, source: string, path: string): Constant {
  if ((t.dataLocation ?? 0) !== 0 || (t.externalData?.length ?? 0) > 0) {
    throw formatError(
      path,
      `${source} keeps its values in an external file; fromOnnx reads self-contained models: save it with its weights inside (onnx.save_model(model, path, save_as_external_data=False))`,
    );
  }
  const type = t.dataType ?? 0;
  const readable = READABLE[type];
  if (!readable) {
    throw formatError(
      path,
      `${source} is ${typeName(type)}, which twostep does not read; weights must be FLOAT or DOUBLE: export the model in float32`,
    );
  }
  const { dims, size } = dimsOf(t, source, path);
  const raw = t.rawData ?? new Uint8Array(0);
  const field =
    type === DataType.FLOAT
      ? t.floatData
      : type === DataType.DOUBLE
        ? t.doubleData
        : type === DataType.INT32
          ? t.int32Data
          : t.int64Data;
  const stored = raw.length > 0 ? raw.length / readable.bytes : (field?.length ?? 0);
  if (stored !== size) {
    const held = raw.length > 0 ? `${raw.length} bytes of raw_data` : `${stored} values`;
    throw formatError(
      path,
      `${source} has shape ${formatShape(dims)} (${size} values of ${typeName(type)}) but holds ${held}; the file is damaged or truncated`,
    );
  }
  return {
    dims,
    size,
    type,
    source,
    values() {
      const out = new Float64Array(size);
      if (raw.length > 0) {
        const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
        for (let i = 0; i < size; i++) out[i] = readable.read(view, i * readable.bytes);
      } else {
        for (let i = 0; i < size; i++) out[i] = toNumber(field![i]);
      }
      return isFloat(type) ? finite(out, source, path) : out;
    },
  };
}

/** `values`, or a ModelFormatError naming the first that is not finite. */
function finite(values: Float64Array, source: string, path: string): Float64Array {
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad < 0) return values;
  throw formatError(
    path,
    `${source} holds ${values[bad]} at index ${bad}; weights must be finite numbers: fix or retrain the model`,
  );
}

/** A constant of values known now (the attributes of a Constant node). */
export function listConstant(
  values: readonly number[],
  dims: number[],
  type: number,
  source: string,
  path: string,
): Constant {
  return {
    dims,
    size: values.length,
    type,
    source,
    values: () => finite(Float64Array.from(values), source, path),
  };
}

/** The transpose of a matrix (rank 2), read on demand; that of a transpose is the matrix. */
export function transposed(c: Constant, source: string): Constant {
  if (c.transposeOf) return { ...c.transposeOf, source };
  const [rows = 1, cols = 1] = c.dims;
  return {
    dims: [cols, rows],
    size: c.size,
    type: c.type,
    source,
    transposeOf: c,
    values() {
      const v = c.values();
      const out = new Float64Array(c.size);
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < cols; j++) out[j * rows + r] = v[r * cols + j]!;
      }
      return out;
    },
  };
}

/** `values` as a FLOAT or DOUBLE initializer named `name`, little-endian in raw_data. */
export function tensorProto(
  name: string,
  dims: number[],
  values: ArrayLike<number>,
  dtype: 'float32' | 'float64',
): OnnxTensor {
  const bytes = dtype === 'float32' ? 4 : 8;
  const raw = new Uint8Array(values.length * bytes);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) {
    if (dtype === 'float32') view.setFloat32(i * 4, values[i]!, true);
    else view.setFloat64(i * 8, values[i]!, true);
  }
  return {
    name,
    dims,
    dataType: dtype === 'float32' ? DataType.FLOAT : DataType.DOUBLE,
    rawData: raw,
  };
}
