/**
 * The part of the ONNX protobuf schema that twostep reads and writes, with the names and field
 * numbers of the spec, onnx.proto (proto2):
 * https://github.com/onnx/onnx/blob/main/onnx/onnx.proto. Every other field of a file is
 * skipped when it is decoded.
 */
import protobuf from 'protobufjs/light.js';

/** An int64 as protobufjs decodes it: a number, or a Long when the `long` package is present. */
export type Int64 = number | { toString(): string };

/** A decoded or to-be-encoded message: absent fields read as protobufjs's defaults. */
export interface OnnxModel {
  irVersion?: Int64;
  opsetImport?: { domain?: string; version?: Int64 }[];
  producerName?: string;
  docString?: string;
  graph?: OnnxGraph | null;
}

export interface OnnxGraph {
  node?: OnnxNode[];
  name?: string;
  initializer?: OnnxTensor[];
  input?: OnnxValueInfo[];
  output?: OnnxValueInfo[];
}

export interface OnnxNode {
  input?: string[];
  output?: string[];
  name?: string;
  opType?: string;
  domain?: string;
  attribute?: OnnxAttribute[];
}

export interface OnnxAttribute {
  name?: string;
  type?: number;
  f?: number;
  i?: Int64;
  t?: OnnxTensor | null;
  floats?: number[];
  ints?: Int64[];
}

export interface OnnxTensor {
  dims?: Int64[];
  dataType?: number;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: Int64[];
  name?: string;
  rawData?: Uint8Array;
  externalData?: { key?: string; value?: string }[];
  dataLocation?: number;
  doubleData?: number[];
}

export interface OnnxValueInfo {
  name?: string;
  type?: {
    tensorType?: {
      elemType?: number;
      shape?: { dim?: { dimValue?: Int64; dimParam?: string }[] } | null;
    } | null;
  } | null;
}

/** TensorProto.DataType values that twostep reads, writes or names. */
export const DataType = {
  FLOAT: 1,
  INT32: 6,
  INT64: 7,
  FLOAT16: 10,
  DOUBLE: 11,
} as const;

/** AttributeProto.AttributeType values. */
export const AttributeType = { FLOAT: 1, INT: 2, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

// protobufjs reads a JSON descriptor as proto3 unless told otherwise; onnx.proto is proto2.
const message = (
  fields: Record<string, protobuf.IField>,
  nested?: Record<string, protobuf.IType>,
): protobuf.IType => ({ edition: 'proto2', fields, ...(nested && { nested }) });
const packed = { packed: true };

const root = protobuf.Root.fromJSON({
  nested: {
    onnx: {
      nested: {
        ModelProto: message({
          irVersion: { type: 'int64', id: 1 },
          opsetImport: { type: 'OperatorSetIdProto', id: 8, rule: 'repeated' },
          producerName: { type: 'string', id: 2 },
          docString: { type: 'string', id: 6 },
          graph: { type: 'GraphProto', id: 7 },
        }),
        OperatorSetIdProto: message({
          domain: { type: 'string', id: 1 },
          version: { type: 'int64', id: 2 },
        }),
        GraphProto: message({
          node: { type: 'NodeProto', id: 1, rule: 'repeated' },
          name: { type: 'string', id: 2 },
          initializer: { type: 'TensorProto', id: 5, rule: 'repeated' },
          input: { type: 'ValueInfoProto', id: 11, rule: 'repeated' },
          output: { type: 'ValueInfoProto', id: 12, rule: 'repeated' },
        }),
        NodeProto: message({
          input: { type: 'string', id: 1, rule: 'repeated' },
          output: { type: 'string', id: 2, rule: 'repeated' },
          name: { type: 'string', id: 3 },
          opType: { type: 'string', id: 4 },
          domain: { type: 'string', id: 7 },
          attribute: { type: 'AttributeProto', id: 5, rule: 'repeated' },
        }),
        AttributeProto: message({
          name: { type: 'string', id: 1 },
          type: { type: 'int32', id: 20 },
          f: { type: 'float', id: 2 },
          i: { type: 'int64', id: 3 },
          t: { type: 'TensorProto', id: 5 },
          floats: { type: 'float', id: 7, rule: 'repeated' },
          ints: { type: 'int64', id: 8, rule: 'repeated' },
        }),
        TensorProto: message({
          dims: { type: 'int64', id: 1, rule: 'repeated' },
          dataType: { type: 'int32', id: 2 },
          floatData: { type: 'float', id: 4, rule: 'repeated', options: packed },
          int32Data: { type: 'int32', id: 5, rule: 'repeated', options: packed },
          int64Data: { type: 'int64', id: 7, rule: 'repeated', options: packed },
          name: { type: 'string', id: 8 },
          rawData: { type: 'bytes', id: 9 },
          externalData: { type: 'StringStringEntryProto', id: 13, rule: 'repeated' },
          dataLocation: { type: 'int32', id: 14 },
          doubleData: { type: 'double', id: 10, rule: 'repeated', options: packed },
        }),
        StringStringEntryProto: message({
          key: { type: 'string', id: 1 },
          value: { type: 'string', id: 2 },
        }),
        ValueInfoProto: message({
          name: { type: 'string', id: 1 },
          type: { type: 'TypeProto', id: 2 },
        }),
        TypeProto: message(
          { tensorType: { type: 'Tensor', id: 1 } },
          {
            Tensor: message({
              elemType: { type: 'int32', id: 1 },
              shape: { type: 'TensorShapeProto', id: 2 },
            }),
          },
        ),
        TensorShapeProto: message(
          { dim: { type: 'Dimension', id: 1, rule: 'repeated' } },
          {
            Dimension: message({
              dimValue: { type: 'int64', id: 1 },
              dimParam: { type: 'string', id: 2 },
            }),
          },
        ),
      },
    },
  },
});

const modelProto = root.lookupType('onnx.ModelProto');

/**
 * The bytes of a model, in a Uint8Array of their own (in Node protobufjs returns a Buffer, which
 * may share a pool's memory and whose `slice` does not copy).
 */
export function encodeModel(model: OnnxModel): Uint8Array {
  const encoded = modelProto.encode(model).finish();
  const bytes = new Uint8Array(encoded.length);
  bytes.set(encoded);
  return bytes;
}

/** A model from its bytes; protobufjs throws plain Errors (and RangeErrors) on bad bytes. */
export function decodeModel(bytes: Uint8Array): OnnxModel {
  return modelProto.decode(bytes) as OnnxModel;
}

/** An int64 field as a number: exact up to 2⁵³, beyond that not a safe integer. */
export function toNumber(value: Int64 | undefined): number {
  return typeof value === 'number' ? value : Number(value?.toString() ?? 0);
}
