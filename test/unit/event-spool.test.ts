import assert from 'node:assert/strict';
import { readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { EventSpool } from '../../src/listen/event-spool.js';
import type { QueuedEvent } from '../../src/listen/webhook-event.js';
import { tempDir } from '../support/temp.js';

const event = (webhookId: string, eventKey = `E-${webhookId}/digest`): QueuedEvent => ({
  eventKey, webhookId, eventId: `E-${webhookId}`, eventType: 'incident.triggered', incidentId: 'P1', occurredAt: '2026-01-01T00:00:00Z', receivedAt: '2026-01-01T00:00:01Z',
});

describe('the listener\'s queue on disk', () => {
  test('a delivery that arrives again while its first copy is being written is answered only once that write is on disk, and fails with it', async () => {
    const { spool } = await EventSpool.open(join(tempDir('spool'), 'q'), 10);
    const ok = await Promise.allSettled([spool.put(event('W1')), spool.put(event('W1'))]);
    assert.deepEqual(ok.map((r) => r.status), ['fulfilled', 'fulfilled']);
    assert.equal(spool.size, 1);
    assert.equal(readdirSync(spool.dir).filter((n) => n.endsWith('.json')).length, 1, 'written once');
    // The folder is gone: the first write fails, and so must the answer to the second copy.
    rmSync(spool.dir, { recursive: true });
    const failed = await Promise.allSettled([spool.put(event('W2')), spool.put(event('W2'))]);
    assert.deepEqual(failed.map((r) => r.status), ['rejected', 'rejected']);
    assert.equal(spool.has('W2'), false);
  });

  test('an event is queued once by its event key, whatever X-Webhook-Id its deliveries came under', async () => {
    const { spool } = await EventSpool.open(join(tempDir('spool'), 'q'), 10);
    await spool.put(event('W5', 'E-5/digest'));
    await spool.put(event('W5-replayed', 'E-5/digest'));
    assert.equal(spool.size, 1);
    assert.equal(spool.has('E-5/digest'), true);
    assert.deepEqual(readdirSync(spool.dir).length, 1);
  });

  test('a queued file of an earlier version, without an event key, is read keyed by its X-Webhook-Id', async () => {
    const dir = join(tempDir('spool'), 'q');
    const { spool } = await EventSpool.open(dir, 10);
    const { eventKey: _, ...old } = event('W6');
    writeFileSync(join(dir, '1-old.json'), JSON.stringify(old));
    const again = await EventSpool.open(dir, 10);
    assert.deepEqual(again.unreadable, []);
    assert.deepEqual(again.spool.pending().map((e) => e.eventKey), ['x-webhook-id:W6']);
    assert.equal(spool.size, 0);
  });

  test('a queue write that fails (the disk full) leaves no *.json.tmp file behind, and fails the delivery', async () => {
    // Where the event's file goes, as a queue writes it.
    const { spool: scratch } = await EventSpool.open(join(tempDir('spool'), 'q'), 10);
    await scratch.put(event('W7'));
    const [name] = readdirSync(scratch.dir);
    const { spool } = await EventSpool.open(join(tempDir('spool'), 'q'), 10);
    // Its temporary file is /dev/full, where every write fails with ENOSPC, as on a full disk.
    symlinkSync('/dev/full', join(spool.dir, `${name}.tmp`));
    await assert.rejects(spool.put(event('W7')), /ENOSPC/);
    assert.deepEqual(readdirSync(spool.dir), []);
    assert.equal(spool.size, 0);
  });

  test('a queued file that cannot be read is set aside and named, and the others are still queued', async () => {
    const dir = join(tempDir('spool'), 'q');
    const { spool } = await EventSpool.open(dir, 10);
    await spool.put(event('W3'));
    writeFileSync(join(dir, '0-broken.json'), '{"webhookId": "W4", cut short');
    const again = await EventSpool.open(dir, 10);
    assert.deepEqual(again.unreadable, [join(dir, '0-broken.json.bad')]);
    assert.deepEqual(again.spool.pending().map((e) => e.webhookId), ['W3']);
  });
});
