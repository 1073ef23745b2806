// Assertions for API conformance tests (test/e2e/api-conformance-*.test.ts): a JSON object's exact
// field names, Neon's `{"msg"}` error bodies (neon-reference.md §0), and `200 null` unit answers.

import type { Test } from 'tap';
import { httpRequest } from '../../cluster/clients/http.ts';

/** §0: every error body is exactly `{"msg": "<text>"}`. */
export const ERROR_BODY = ['msg'];
/** §0: an LSN in JSON, "X/Y" in uppercase hex. */
export const LSN = /^[0-9A-F]+\/[0-9A-F]+$/;

export const keys = (v: unknown): string[] => Object.keys(v as object).sort();
export const sorted = (list: readonly string[]): string[] => [...list].sort();

/** Status, the raw text (to tell `null` from an empty body) and the parsed JSON (undefined when empty). */
export async function call(url: string, method = 'GET', body?: unknown): Promise<{ status: number; text: string; body: any }> {
  const res = await httpRequest(url, { method, ...(body === undefined ? {} : { body }) });
  return { status: res.status, text: res.body, body: res.body === '' ? undefined : JSON.parse(res.body) };
}

/** `value` has exactly the fields `expected`, no more, no fewer. */
export function fields(t: Test, value: unknown, expected: readonly string[], what: string): void {
  t.same(keys(value), sorted(expected), `${what}: exactly the reference's fields`);
}

/** An error answer: the status and a `{"msg": <string>}` body whose text matches `msg` (a string: contains it). */
export function isError(t: Test, res: { status: number; body: any }, status: number, msg: RegExp | string, what: string): void {
  t.equal(res.status, status, `${what}: ${status}`);
  t.same(keys(res.body ?? {}), ERROR_BODY, `${what}: {"msg"} body`);
  t.match(res.body?.msg, msg, `${what}: message`);
}

/** A unit answer: 200 with the JSON literal `null` (not an empty body). */
export function isNullOk(t: Test, res: { status: number; text: string }, what: string): void {
  t.same([res.status, res.text], [200, 'null'], `${what}: 200 null`);
}
