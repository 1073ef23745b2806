// Typed decoding of JSON and YAML values with serde-style messages ("missing field `id`",
// "unknown field `x`, expected one of ..."), so emulators reject bad bodies with the wording Neon's
// Rust services use, and config errors can point at the exact key (path) that is wrong.

export type PathSegment = string | number;

export class DecodeError extends Error {
  constructor(
    readonly path: PathSegment[],
    readonly reason: string,
  ) {
    super(path.length ? `${formatPath(path)}: ${reason}` : reason);
    this.name = 'DecodeError';
  }
}

export function formatPath(path: PathSegment[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

export type Decoder<T> = (value: unknown, path: PathSegment[]) => T;
export type Decoded<D> = D extends Decoder<infer T> ? T : never;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'sequence';
  switch (typeof value) {
    case 'string': return `string ${JSON.stringify(value)}`;
    case 'number': return Number.isInteger(value) ? `integer \`${value}\`` : `floating point \`${value}\``;
    case 'boolean': return `boolean \`${value}\``;
    case 'object': return 'map';
    default: return typeof value;
  }
}

function fail(path: PathSegment[], reason: string): never {
  throw new DecodeError(path, reason);
}

function unsigned(bits: number, name: string): Decoder<number> {
  const max = bits >= 53 ? Number.MAX_SAFE_INTEGER : 2 ** bits - 1;
  return (v, path) => {
    if (typeof v !== 'number') fail(path, `invalid type: ${describe(v)}, expected ${name}`);
    if (!Number.isInteger(v) || v < 0 || v > max) fail(path, `invalid value: ${describe(v)}, expected ${name}`);
    return v;
  };
}

export const u64 = unsigned(64, 'u64');
export const u32 = unsigned(32, 'u32');
export const u16 = unsigned(16, 'u16');
export const u8 = unsigned(8, 'u8');

export const bool: Decoder<boolean> = (v, path) =>
  typeof v === 'boolean' ? v : fail(path, `invalid type: ${describe(v)}, expected a boolean`);

export const string: Decoder<string> = (v, path) =>
  typeof v === 'string' ? v : fail(path, `invalid type: ${describe(v)}, expected a string`);

export const unknownValue: Decoder<unknown> = (v) => v;

/** A string that `parse` accepts; `parse` throws Error whose message explains what is expected. */
export function parsed<T>(expected: string, parse: (s: string) => T): Decoder<T> {
  return (v, path) => {
    const s = string(v, path);
    try {
      return parse(s);
    } catch (err) {
      return fail(path, `invalid value: ${describe(v)}, expected ${expected}${err instanceof Error && err.message ? ` (${err.message})` : ''}`);
    }
  };
}

export function literal<const T extends string>(...variants: T[]): Decoder<T> {
  const list = variants.map((v) => `\`${v}\``).join(', ');
  return (v, path) => {
    if (typeof v !== 'string') fail(path, `invalid type: ${describe(v)}, expected one of ${list}`);
    if (!(variants as string[]).includes(v)) fail(path, `unknown variant \`${v}\`, expected one of ${list}`);
    return v as T;
  };
}

export function nullable<T>(inner: Decoder<T>): Decoder<T | null> {
  return (v, path) => (v === null ? null : inner(v, path));
}

export function array<T>(inner: Decoder<T>): Decoder<T[]> {
  return (v, path) => {
    if (!Array.isArray(v)) fail(path, `invalid type: ${describe(v)}, expected a sequence`);
    return v.map((item, i) => inner(item, [...path, i]));
  };
}

/** A two-element sequence, e.g. neon_local's [tenant, timeline] pairs. */
export function tuple2<A, B>(first: Decoder<A>, second: Decoder<B>): Decoder<[A, B]> {
  return (v, path) => {
    if (!Array.isArray(v) || v.length !== 2) fail(path, `invalid type: ${describe(v)}, expected a sequence of 2 elements`);
    return [first(v[0], [...path, 0]), second(v[1], [...path, 1])];
  };
}

export function record<T>(inner: Decoder<T>): Decoder<Record<string, T>> {
  return (v, path) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, `invalid type: ${describe(v)}, expected a map`);
    return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, inner(item, [...path, k])]));
  };
}

interface FieldSpec<T, Absent extends boolean = boolean> {
  readonly decoder: Decoder<T>;
  readonly required: boolean;
  readonly fallback?: () => T;
  /** Type-level only: true when the decoded object may lack the key. */
  readonly absent?: Absent;
}

/** A field that may be absent (or null); the decoded object then lacks the key. */
export function optional<T>(decoder: Decoder<T>): FieldSpec<T | undefined, true> {
  return { decoder: (v, p) => (v === null ? undefined : decoder(v, p)), required: false, fallback: () => undefined };
}

/** A field that takes `value` when absent. */
export function withDefault<T>(decoder: Decoder<T>, value: T | (() => T)): FieldSpec<T, false> {
  const fallback = typeof value === 'function' ? (value as () => T) : () => value;
  return { decoder, required: false, fallback };
}

type Field<T> = Decoder<T> | FieldSpec<T>;
type FieldValue<F> = F extends FieldSpec<infer T> ? T : F extends Decoder<infer T> ? T : never;
type AbsentKeys<S> = { [K in keyof S]: S[K] extends FieldSpec<unknown, true> ? K : never }[keyof S];
type Simplify<T> = { [K in keyof T]: T[K] };
export type StructOf<S extends Record<string, Field<unknown>>> = Simplify<
  { [K in Exclude<keyof S, AbsentKeys<S>>]: FieldValue<S[K]> } & { [K in AbsentKeys<S>]?: FieldValue<S[K]> }
>;

export interface StructOptions {
  /** serde's deny_unknown_fields: an unknown key is an error naming it. Default true. */
  denyUnknown?: boolean;
}

export function struct<S extends Record<string, Field<unknown>>>(fields: S, options: StructOptions = {}): Decoder<StructOf<S>> {
  const denyUnknown = options.denyUnknown ?? true;
  const names = Object.keys(fields);
  const expected = names.map((n) => `\`${n}\``).join(', ');
  return (v, path) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, `invalid type: ${describe(v)}, expected a map`);
    const input = v as Record<string, unknown>;
    if (denyUnknown) {
      for (const key of Object.keys(input)) {
        if (!Object.hasOwn(fields, key)) fail([...path, key], `unknown field \`${key}\`, expected one of ${expected}`);
      }
    }
    const out: Record<string, unknown> = {};
    for (const name of names) {
      const field = fields[name]!;
      const spec: FieldSpec<unknown> = typeof field === 'function' ? { decoder: field, required: true } : field;
      if (!Object.hasOwn(input, name) || input[name] === undefined) {
        if (spec.required) fail(path, `missing field \`${name}\``);
        const value = spec.fallback!();
        if (value !== undefined) out[name] = value;
      } else {
        const value = spec.decoder(input[name], [...path, name]);
        if (value !== undefined) out[name] = value;
      }
    }
    return out as StructOf<S>;
  };
}

/** The same struct with every field optional (absent or null decodes to undefined). */
export function partialStruct<S extends Record<string, Field<unknown>>>(
  fields: S,
  options: StructOptions = {},
): Decoder<{ [K in keyof S]?: FieldValue<S[K]> | undefined }> {
  const loose = Object.fromEntries(
    Object.entries(fields).map(([name, field]) => [name, optional(typeof field === 'function' ? field : field.decoder)]),
  );
  return struct(loose, options) as Decoder<{ [K in keyof S]?: FieldValue<S[K]> | undefined }>;
}

/** An integer in [min, max]. */
export function intRange(inner: Decoder<number>, min: number, max = Number.MAX_SAFE_INTEGER): Decoder<number> {
  return (v, path) => {
    const n = inner(v, path);
    if (n < min || n > max) fail(path, `invalid value: ${describe(v)}, expected a number from ${min} to ${max}`);
    return n;
  };
}

/** Exactly this value (e.g. a format version). */
export function exactly<const T extends string | number>(expected: T): Decoder<T> {
  return (v, path) => (v === expected ? expected : fail(path, `invalid value: ${describe(v)}, expected ${JSON.stringify(expected)}`));
}

/** Runs a decoder at the root of a document. */
export function decode<T>(decoder: Decoder<T>, value: unknown): T {
  return decoder(value, []);
}
