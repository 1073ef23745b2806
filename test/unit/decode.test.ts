// The decoder's messages follow serde_json's, which is what Neon's services answer with.

import t from 'tap';
import {
  array, decode, DecodeError, exactly, intRange, literal, nullable, optional, partialStruct, string, struct, u16, u64, withDefault,
} from '../../cluster/util/decode.ts';

const node = struct({ id: u64, host: string, port: optional(u16), tags: withDefault(array(string), []), zone: nullable(string) });

t.test('decodes and fills defaults', async (t) => {
  t.same(decode(node, { id: 1, host: 'h', zone: null }), { id: 1, host: 'h', tags: [], zone: null });
  t.same(decode(node, { id: 1, host: 'h', port: 80, tags: ['a'], zone: 'z' }), { id: 1, host: 'h', port: 80, tags: ['a'], zone: 'z' });
  t.notOk('port' in decode(node, { id: 1, host: 'h', port: null, zone: null }), 'an absent optional field is absent');
});

t.test('serde-style messages with the path to the bad value', async (t) => {
  const cases: [unknown, string][] = [
    [{ host: 'h', zone: null }, 'missing field `id`'],
    [{ id: 1, host: 'h', zone: null, colour: 1 }, 'colour: unknown field `colour`, expected one of `id`, `host`, `port`, `tags`, `zone`'],
    [{ id: '1', host: 'h', zone: null }, 'id: invalid type: string "1", expected u64'],
    [{ id: -1, host: 'h', zone: null }, 'id: invalid value: integer `-1`, expected u64'],
    [{ id: 1.5, host: 'h', zone: null }, 'id: invalid value: floating point `1.5`, expected u64'],
    [{ id: 1, host: 'h', port: 70000, zone: null }, 'port: invalid value: integer `70000`, expected u16'],
    [{ id: 1, host: 'h', tags: ['a', 2], zone: null }, 'tags[1]: invalid type: integer `2`, expected a string'],
    [{ id: 1, host: 'h' }, 'missing field `zone`'],
    [[1], 'invalid type: sequence, expected a map'],
  ];
  for (const [input, message] of cases) t.throws(() => decode(node, input), { name: 'DecodeError', message }, message);
  const nested = struct({ outer: struct({ inner: array(struct({ x: u64 })) }) });
  t.throws(() => decode(nested, { outer: { inner: [{ x: 1 }, { x: 'no' }] } }), { message: 'outer.inner[1].x: invalid type: string "no", expected u64' });
  t.throws(() => decode(literal('a', 'b'), 'c'), { message: 'unknown variant `c`, expected one of `a`, `b`' });
  t.throws(() => decode(exactly(1), 2), { message: 'invalid value: integer `2`, expected 1' });
  t.throws(() => decode(intRange(u64, 1), 0), { message: 'invalid value: integer `0`, expected a number from 1 to 9007199254740991' });
});

t.test('unknown fields can be allowed, and a partial struct makes all optional', async (t) => {
  t.same(decode(struct({ a: u64 }, { denyUnknown: false }), { a: 1, b: 2 }), { a: 1 });
  t.same(decode(partialStruct({ a: u64, b: withDefault(string, 'x') }), {}), {});
  t.throws(() => decode(partialStruct({ a: u64 }), { a: 'x' }), DecodeError);
});
