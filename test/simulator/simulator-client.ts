/** Plain fetch calls against a running simulator, shared by the simulator tests. */
import type { Simulator } from '../../src/simulator/server.js';

export const DATA_END = new Date('2026-06-01T00:00:00Z');
export const NOW = new Date('2026-06-01T12:00:00Z');
export const TOKEN_AUTH = { authorization: 'Token token=sim-token' };

export type Query = Record<string, string | number | boolean | readonly string[] | undefined>;
export type Body = Record<string, unknown> & { error?: { message: string; code: number; errors?: string[] } };

export function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    for (const one of typeof v === 'object' ? v : [v]) params.append(k, String(one));
  }
  return params.toString();
}

export async function get(
  sim: Simulator,
  path: string,
  query: Query = {},
  headers: Record<string, string> = TOKEN_AUTH,
): Promise<{ status: number; body: Body; text: string; contentType: string | null; headers: Headers }> {
  const res = await fetch(`${sim.url}${path}?${queryString(query)}`, { headers });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Body, text, contentType: res.headers.get('content-type'), headers: res.headers };
}

/** Every record of a list, paged 100 at a time the way a client must (offset += records received). */
export async function listAll(sim: Simulator, stream: string, query: Query = {}): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (;;) {
    const { status, body } = await get(sim, `/${stream}`, { ...query, limit: 100, offset: out.length });
    if (status !== 200) throw new Error(`${stream} at offset ${out.length}: ${status} ${JSON.stringify(body)}`);
    const page = body[stream] as Record<string, unknown>[];
    out.push(...page);
    if (!body.more) return out;
  }
}

export const ids = (records: Record<string, unknown>[]) => records.map((r) => String(r.id));

/** A POST with a JSON body (or, given a string, that text as it is). */
export async function post(
  sim: Simulator,
  path: string,
  body: unknown,
  headers: Record<string, string> = TOKEN_AUTH,
): Promise<{ status: number; body: Body; text: string }> {
  const res = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Body, text };
}
