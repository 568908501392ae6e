import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { RateLimitState } from './rate-limit.js';

/** How the bytes of a reply go out: whole, not at all (socket reset), cut off mid-body, or a byte at a time, slowly. */
export type Delivery = 'whole' | 'reset' | 'truncated' | 'trickle';

/** A trickled body sends one byte this often: a client without a deadline on the whole request waits for ever. */
const TRICKLE_MS = 1000;

/** An answer decided when the request arrived, sent after the latency and any `slow` delay. */
export interface Reply {
  status: number;
  headers: OutgoingHttpHeaders;
  body: string;
  delivery: Delivery;
  delayMs: number;
}

export function rateLimitHeaders(s: RateLimitState | undefined): OutgoingHttpHeaders {
  return s ? { 'ratelimit-limit': s.limit, 'ratelimit-remaining': s.remaining, 'ratelimit-reset': s.resetSeconds } : {};
}

export function jsonReply(status: number, body: unknown, headers: OutgoingHttpHeaders = {}): Reply {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body), delivery: 'whole', delayMs: 0 };
}

/** What an edge proxy answers for 502 and 503: HTML, not the API's JSON. */
export function gatewayReply(status: 502 | 503, headers: OutgoingHttpHeaders): Reply {
  const title = status === 502 ? '502 Bad Gateway' : '503 Service Temporarily Unavailable';
  const body = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
  return { status, headers: { 'content-type': 'text/html', ...headers }, body, delivery: 'whole', delayMs: 0 };
}

/** The status the request log records: 0 when no whole response reached the client. */
export function loggedStatus(reply: Reply): number {
  return reply.delivery === 'whole' ? reply.status : 0;
}

export function send(res: ServerResponse, reply: Reply): void {
  if (reply.delivery === 'reset') {
    res.socket?.destroy();
    return;
  }
  const bytes = Buffer.from(reply.body);
  res.writeHead(reply.status, { ...reply.headers, 'content-length': bytes.length });
  if (reply.delivery === 'whole') {
    res.end(bytes);
    return;
  }
  if (reply.delivery === 'trickle') {
    let at = 0;
    const timer = setInterval(() => {
      if (res.destroyed || at >= bytes.length) {
        clearInterval(timer);
        if (!res.destroyed) res.end();
        return;
      }
      res.write(bytes.subarray(at, (at += 1)));
    }, TRICKLE_MS);
    res.once('close', () => clearInterval(timer));
    return;
  }
  // Half the promised bytes, then the connection ends: the client sees an aborted body.
  res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.destroy());
}
