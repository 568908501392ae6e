import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Paging, type PagingFields } from '../../src/catalogue/catalogue.js';
import { loadCatalogue } from '../../src/catalogue/load-catalogue.js';
import type { FetchPage, PageRequest } from '../../src/source/page-request.js';
import type { FetchList } from '../../src/source/paginators/list-page.js';
import { readOffsetList } from '../../src/source/paginators/offset.js';
import { readPages } from '../../src/source/paginators/registry.js';
import type { Sink, StreamItem } from '../../src/source/stream-item.js';

const paging = (await loadCatalogue()).paging;

/** One request's pages read by the paginator the catalogue names, with the catalogue's field names unless given others. */
function read(name: keyof Paging, fetch: FetchPage, request: PageRequest, envelope: string, limit: number, sink: Sink, fields: PagingFields = paging[name]) {
  const list = { maxOffset: 10_000, pagesAhead: 2, unstable: false, keyOf: (r: Rec) => String(r.id), maxPasses: 3 };
  return readPages(name, { fetch, request, envelope, fields, limit, part: 'p', sink, list });
}

type Rec = Record<string, unknown>;

/** A sink that keeps what it was given. */
function collect() {
  const items: StreamItem[] = [];
  return { items, sink: async (i: StreamItem) => void items.push(i), ids: () => items.flatMap((i) => (i.kind === 'records' ? i.records.map((r) => String(r.id)) : [])) };
}

/** A server answering from a script of bodies, recording what it was asked. */
function scripted(pages: Record<string, unknown>[]) {
  const asked: { query: Rec; body: Rec | undefined }[] = [];
  const fetchPage: FetchPage = async ({ query, body }) => {
    asked.push({ query: query as Rec, body });
    const page = pages[asked.length - 1];
    if (!page) throw new Error('asked for a page the script lacks');
    return page;
  };
  return { asked, fetchPage };
}

const recs = (...ids: string[]) => ids.map((id) => ({ id }));

test('cursor: follows next_cursor until it is null, each page after the one before', async () => {
  const s = scripted([{ records: recs('a', 'b'), next_cursor: 'c1' }, { records: recs('c'), next_cursor: 'c2' }, { records: recs('d'), next_cursor: null }]);
  const out = collect();
  await read('cursor', s.fetchPage, { method: 'GET', path: '/audit/records', query: { since: 'x' } }, 'records', 2, out.sink);
  assert.deepEqual(out.ids(), ['a', 'b', 'c', 'd']);
  assert.deepEqual(s.asked.map((a) => a.query.cursor), [undefined, 'c1', 'c2']);
  assert.ok(s.asked.every((a) => a.query.limit === 2 && a.query.since === 'x'));
});

test('cursor: a cursor that comes twice, or empty pages that keep naming one, is refused rather than looped', async () => {
  const loop = scripted([{ records: recs('a'), next_cursor: 'c1' }, { records: recs('b'), next_cursor: 'c1' }]);
  await assert.rejects(read('cursor', loop.fetchPage, { method: 'GET', path: '/audit/records', query: {} }, 'records', 10, collect().sink), /next_cursor "c1" came twice: refusing to loop/);
  const empty = scripted([1, 2, 3].map((n) => ({ records: [], next_cursor: `e${n}` })));
  await assert.rejects(read('cursor', empty.fetchPage, { method: 'GET', path: '/audit/records', query: {} }, 'records', 10, collect().sink), /3 empty pages in a row/);
});

test('analytics: passes the last answer\'s `last` as starting_after in the body while `more` is true', async () => {
  const s = scripted([
    { data: recs('a', 'b'), last: 'k2', more: true },
    { data: recs('c'), last: 'k3', more: false },
  ]);
  const out = collect();
  await read('analytics', s.fetchPage, { method: 'POST', path: '/analytics/raw/incidents', query: {}, body: { filters: { created_at_start: 's' } } }, 'data', 1000, out.sink);
  assert.deepEqual(out.ids(), ['a', 'b', 'c']);
  assert.deepEqual(s.asked.map((a) => a.body), [
    { filters: { created_at_start: 's' }, limit: 1000 },
    { filters: { created_at_start: 's' }, limit: 1000, starting_after: 'k2' },
  ]);
});

test('analytics: more with an empty page, or a `last` that comes twice, is refused', async () => {
  const empty = scripted([{ data: [], last: null, more: true }]);
  await assert.rejects(read('analytics', empty.fetchPage, { method: 'POST', path: '/a', query: {}, body: {} }, 'data', 10, collect().sink), /more=true with an empty page/);
  const loop = scripted([{ data: recs('a'), last: 'k', more: true }, { data: recs('b'), last: 'k', more: true }]);
  await assert.rejects(read('analytics', loop.fetchPage, { method: 'POST', path: '/a', query: {}, body: {} }, 'data', 10, collect().sink), /"last" "k" came twice/);
});

test('cursor: sends and reads the field names the catalogue gives, not fixed ones', async () => {
  const s = scripted([{ items: recs('a'), next_page: 'n1' }, { items: recs('b'), next_page: null }]);
  const out = collect();
  await read('cursor', s.fetchPage, { method: 'GET', path: '/x', query: {} }, 'items', 5, out.sink, { limit: 'page_size', cursor: 'after', next: 'next_page' });
  assert.deepEqual(out.ids(), ['a', 'b']);
  assert.deepEqual(s.asked.map((a) => a.query), [{ page_size: 5 }, { page_size: 5, after: 'n1' }]);
});

test('none: one request answers the whole list', async () => {
  const s = scripted([{ notes: recs('n1', 'n2') }]);
  const out = collect();
  await read('none', s.fetchPage, { method: 'GET', path: '/incidents/P1/notes', query: {} }, 'notes', 100, out.sink);
  assert.deepEqual(out.ids(), ['n1', 'n2']);
  assert.equal(s.asked.length, 1);
});

/** An offset list server over an array that tests may change between requests. */
function offsetServer(list: Rec[], beforeEach: (n: number) => void = () => undefined) {
  let n = 0;
  const fetchList: FetchList = async (q) => {
    beforeEach(n++);
    const offset = Number(q.offset);
    const limit = Number(q.limit);
    const records = list.slice(offset, offset + limit);
    return { records, more: offset + records.length < list.length, total: q.total ? list.length : undefined };
  };
  return { fetchList, requests: () => n };
}

const options = (unstable: boolean) => ({ fields: paging.offset, limit: 10, pagesAhead: 2, unstable, keyOf: (r: Rec) => String(r.id), maxPasses: 3 });
const users = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `U${String(i).padStart(3, '0')}` }));

test('offset, stable: pages at known offsets from the first page\'s total; every record once', async () => {
  const list = users(35);
  const server = offsetServer(list);
  const first = await server.fetchList({ limit: 10, offset: 0, total: true });
  const out = collect();
  await readOffsetList(server.fetchList, {}, first, 'p', out.sink, options(false), '/x');
  assert.deepEqual(out.ids().sort(), list.map((r) => r.id));
  assert.equal(server.requests(), 4);
});

test('offset, unstable: pages overlap by one record, and a list that moves mid-read is read again, whole', async () => {
  const list = users(35);
  // Before the third request, a record is added at position 0: every later offset shifts.
  const server = offsetServer(list, (n) => n === 2 && list.unshift({ id: 'A000' }));
  const first = await server.fetchList({ limit: 10, offset: 0, total: true });
  const out = collect();
  await readOffsetList(server.fetchList, {}, first, 'p', out.sink, options(true), '/x');
  const restart = out.items.findIndex((i) => i.kind === 'restart');
  assert.ok(restart > 0, 'the move was seen and the part restarted');
  const after = out.items.slice(restart + 1).flatMap((i) => (i.kind === 'records' ? i.records.map((r) => String(r.id)) : []));
  assert.deepEqual([...new Set(after)].sort(), list.map((r) => r.id).sort(), 'the second pass holds the list as it now stands');
});

test('offset, unstable: a list that moves on every pass is given up after three, with a message', async () => {
  const list = users(35);
  const server = offsetServer(list, (n) => n % 3 === 2 && list.unshift({ id: `A${n}` }));
  const first = await server.fetchList({ limit: 10, offset: 0, total: true });
  await assert.rejects(readOffsetList(server.fetchList, {}, first, 'p', collect().sink, options(true), '/users'), /the list changed while it was read, on each of 3 passes/);
});

test('offset: more=true with an empty page is refused rather than looped', async () => {
  const fetchList: FetchList = async () => ({ records: [], more: true, total: undefined });
  const first = { records: users(10), more: true, total: undefined };
  await assert.rejects(readOffsetList(fetchList, {}, first, 'p', collect().sink, options(false), '/x'), /more=true with an empty page at offset 10: refusing to loop/);
});
