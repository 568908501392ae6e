import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ListenLog } from './listen-log.js';

/** Connections one address may hold: PagerDuty sends one delivery at a time per subscription. */
export const MAX_PER_ADDRESS = 32;
/** An address at its cap is said once in this long, however many connections it opens. */
const WARN_EVERY_MS = 60_000;

/**
 * Caps the connections each remote address holds, so one client (a slowloris reopening its
 * connections as they close) cannot take every slot of the server's total cap: past the cap a
 * connection from that address is closed as soon as it opens, and the others still get in.
 */
export function guardConnections(server: Server, log: ListenLog): void {
  const open = new Map<string, number>();
  const warned = new Map<string, number>();
  // Ahead of the HTTP server's own listener: a refused connection never gets a parser.
  server.prependListener('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const held = open.get(address) ?? 0;
    if (held >= MAX_PER_ADDRESS) {
      const now = Date.now();
      if (now - (warned.get(address) ?? 0) >= WARN_EVERY_MS) {
        for (const [a, at] of warned) if (now - at >= WARN_EVERY_MS) warned.delete(a);
        warned.set(address, now);
        log.write({ event: 'warning', reason: `${address} holds ${MAX_PER_ADDRESS} connections, the most one address may: more are closed at once` });
      }
      socket.destroy();
      return;
    }
    open.set(address, held + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}
