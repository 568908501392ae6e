import { connect, type Socket } from 'node:net';
import { eventually } from './wait.js';

/** What the start of a slow connection sends before it trickles a byte a second: nothing, a header, or headers and part of a body. */
const OPENINGS = [
  '',
  'POST /webhooks/pagerduty HTTP/1.1\r\nHost: listener\r\nX-Slow: ',
  'POST /webhooks/pagerduty HTTP/1.1\r\nHost: listener\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{',
];

/** A closed connection is opened again this long after. */
const REOPEN_MS = 500;
/** A connection closed after this long was held by the server, then cut; one closed sooner was refused. */
const HELD_MS = 1000;

export interface SlowFlood {
  /** Connections made so far (reopened ones counted again). */
  readonly connected: number;
  /** Connections the server closed after holding them a while: cut by a deadline, not refused at once. */
  readonly cut: number;
  /** Resolves once `n` more connections have been cut than when called. */
  cutMore(n: number, timeoutMs?: number): Promise<void>;
  /** Closes every connection and opens no more. */
  stop(): Promise<void>;
}

/**
 * A slowloris from one address: `count` connections that never finish a request (a third send
 * nothing, a third trickle a header, a third trickle a body, a byte a second), each opened again
 * soon after the server closes it.
 */
export function slowFlood(target: URL, count: number, localAddress: string): SlowFlood {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const counts = { connected: 0, cut: 0 };
  const open = (kind: number) => {
    const s = connect({ host: target.hostname, port: Number(target.port), localAddress });
    sockets.add(s);
    let trickle: NodeJS.Timeout | undefined;
    let openedAt = 0;
    s.on('error', () => undefined);
    s.on('connect', () => {
      counts.connected += 1;
      openedAt = Date.now();
      if (OPENINGS[kind]) s.write(OPENINGS[kind]);
      if (kind > 0) trickle = setInterval(() => s.write('x'), 1000);
    });
    s.on('close', () => {
      clearInterval(trickle);
      sockets.delete(s);
      if (openedAt && Date.now() - openedAt >= HELD_MS) counts.cut += 1;
      if (stopped) return;
      const t = setTimeout(() => {
        timers.delete(t);
        if (!stopped) open(kind);
      }, REOPEN_MS);
      timers.add(t);
    });
  };
  for (let k = 0; k < count; k++) open(k % OPENINGS.length);
  return {
    get connected() {
      return counts.connected;
    },
    get cut() {
      return counts.cut;
    },
    async cutMore(n, timeoutMs = 30_000) {
      const from = counts.cut;
      await eventually(`${n} slow connections cut`, async () => counts.cut - from >= n, timeoutMs);
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      const closed = [...sockets].map((s) => new Promise((resolve) => s.once('close', resolve)));
      for (const s of sockets) s.destroy();
      await Promise.all(closed);
    },
  };
}
