// GGUF value types, ggml tensor types and llama_ftype file types, numbered as in llama.cpp's
// gguf.h / ggml.h / llama.h (the numbers are the on-disk format, so they never change).

export const GgufValueType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;
export type GgufValueType = (typeof GgufValueType)[keyof typeof GgufValueType];

/** Bytes per element of the fixed-size GGUF value types (string and array are variable). */
export function ggufValueSize(t: GgufValueType): number | undefined {
  switch (t) {
    case GgufValueType.UINT8:
    case GgufValueType.INT8:
    case GgufValueType.BOOL:
      return 1;
    case GgufValueType.UINT16:
    case GgufValueType.INT16:
      return 2;
    case GgufValueType.UINT32:
    case GgufValueType.INT32:
    case GgufValueType.FLOAT32:
      return 4;
    case GgufValueType.UINT64:
    case GgufValueType.INT64:
    case GgufValueType.FLOAT64:
      return 8;
    default:
      return undefined;
  }
}

/**
 * An array value. `values` is undefined when the reader skipped it (longer than `maxArrayLength`);
 * `length` and `elementType` are always known.
 */
export interface GgufArray {
  readonly kind: "array";
  readonly elementType: GgufValueType;
  readonly length: number;
  readonly values: GgufValue[] | undefined;
}

/**
 * 64-bit integers are plain numbers while they fit in a safe integer and bigint beyond, so that
 * the common case (counts, ids) stays JSON-friendly without losing precision in the rare one.
 */
export type GgufValue = number | bigint | boolean | string | GgufArray;

/** A value together with its on-disk type, which the writer needs. */
export interface GgufTypedValue {
  readonly type: GgufValueType;
  readonly value: GgufValue;
}

export function ggufArray(elementType: GgufValueType, values: GgufValue[]): GgufArray {
  return { kind: "array", elementType, length: values.length, values };
}

/** Metadata values with their on-disk types, as the writer takes them. */
export const typed = {
  u32: (value: number): GgufTypedValue => ({ type: GgufValueType.UINT32, value }),
  f32: (value: number): GgufTypedValue => ({ type: GgufValueType.FLOAT32, value }),
  str: (value: string): GgufTypedValue => ({ type: GgufValueType.STRING, value }),
  bool: (value: boolean): GgufTypedValue => ({ type: GgufValueType.BOOL, value }),
  array: (elementType: GgufValueType, values: GgufValue[]): GgufTypedValue => ({
    type: GgufValueType.ARRAY,
    value: ggufArray(elementType, values),
  }),
};

export function isGgufArray(v: GgufValue | undefined): v is GgufArray {
  return typeof v === "object" && v !== null && v.kind === "array";
}

/** llama.cpp's token types (tokenizer.ggml.token_type), the same numbers as SentencePiece's piece types. */
export const TokenType = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

export const GgmlType = {
  F32: 0,
  F16: 1,
  Q4_0: 2,
  Q4_1: 3,
  Q5_0: 6,
  Q5_1: 7,
  Q8_0: 8,
  Q8_1: 9,
  Q2_K: 10,
  Q3_K: 11,
  Q4_K: 12,
  Q5_K: 13,
  Q6_K: 14,
  Q8_K: 15,
  IQ2_XXS: 16,
  IQ2_XS: 17,
  IQ3_XXS: 18,
  IQ1_S: 19,
  IQ4_NL: 20,
  IQ3_S: 21,
  IQ2_S: 22,
  IQ4_XS: 23,
  I8: 24,
  I16: 25,
  I32: 26,
  I64: 27,
  F64: 28,
  IQ1_M: 29,
  BF16: 30,
  TQ1_0: 34,
  TQ2_0: 35,
  MXFP4: 39,
} as const;
export type GgmlType = (typeof GgmlType)[keyof typeof GgmlType];

/** [elements per block, bytes per block], from ggml's type traits. */
const GGML_LAYOUT: Record<number, readonly [number, number]> = {
  0: [1, 4],
  1: [1, 2],
  2: [32, 18],
  3: [32, 20],
  6: [32, 22],
  7: [32, 24],
  8: [32, 34],
  9: [32, 36],
  10: [256, 84],
  11: [256, 110],
  12: [256, 144],
  13: [256, 176],
  14: [256, 210],
  15: [256, 292],
  16: [256, 66],
  17: [256, 74],
  18: [256, 98],
  19: [256, 50],
  20: [32, 18],
  21: [256, 110],
  22: [256, 82],
  23: [256, 136],
  24: [1, 1],
  25: [1, 2],
  26: [1, 4],
  27: [1, 8],
  28: [1, 8],
  29: [256, 56],
  30: [1, 2],
  34: [256, 54],
  35: [256, 66],
  39: [32, 17],
};

export function ggmlTypeLayout(type: number): { blockSize: number; typeSize: number } | undefined {
  const l = GGML_LAYOUT[type];
  return l ? { blockSize: l[0], typeSize: l[1] } : undefined;
}

const GGML_TYPE_NAMES = new Map<number, string>(Object.entries(GgmlType).map(([k, v]) => [v, k]));

/** The tensor type's name as Ollama prints it in /api/show tensors ("Q8_0"); "unknown" otherwise. */
export function ggmlTypeName(type: number): string {
  return GGML_TYPE_NAMES.get(type) ?? "unknown";
}

/** llama_ftype names by value, as Ollama's fs/ggml FileType.String() prints them. */
const FILE_TYPE_NAMES: readonly (string | undefined)[] = [
  "F32",
  "F16",
  "Q4_0",
  "Q4_1",
  undefined,
  undefined,
  undefined,
  "Q8_0",
  "Q5_0",
  "Q5_1",
  "Q2_K",
  "Q3_K_S",
  "Q3_K_M",
  "Q3_K_L",
  "Q4_K_S",
  "Q4_K_M",
  "Q5_K_S",
  "Q5_K_M",
  "Q6_K",
  "IQ2_XXS",
  "IQ2_XS",
  "Q2_K_S",
  "IQ3_XS",
  "IQ3_XXS",
  "IQ1_S",
  "IQ4_NL",
  "IQ3_S",
  "IQ3_M",
  "IQ2_S",
  "IQ2_M",
  "IQ4_XS",
  "IQ1_M",
  "BF16",
  undefined,
  undefined,
  undefined,
  "TQ1_0",
  "TQ2_0",
  "MXFP4_MOE",
  "NVFP4",
  "Q1_0",
];

export const FileType = {
  F32: 0,
  F16: 1,
  Q4_0: 2,
  Q4_1: 3,
  Q8_0: 7,
  Q4_K_S: 14,
  Q4_K_M: 15,
  BF16: 32,
} as const;

/** Name of a `general.file_type` value ("Q4_K_M"); "unknown" for values Ollama does not name. */
export function fileTypeName(fileType: number): string {
  return FILE_TYPE_NAMES[fileType] ?? "unknown";
}
