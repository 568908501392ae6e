import type { Output } from '../summary/output.js';

/** What the listener reports: one line each, as text on stderr, or as JSON on stdout with --json. */
export type ListenEvent =
  | { event: 'listening'; url: string; queued: number; queueDir: string }
  | { event: 'received'; webhookId: string; eventType: string; incidentId: string | null }
  | { event: 'applied'; webhookId: string; eventType: string; incidentId: string | null; msSinceReceived: number }
  | { event: 'duplicate'; webhookId: string; eventType: string; incidentId: string | null }
  | { event: 'rejected'; status: number; reason: string; remote: string }
  | { event: 'dropped'; webhookId: string; eventType: string; incidentId: string | null; reason: string }
  | { event: 'warning'; reason: string }
  | { event: 'waiting'; reason: string; queued: number; retryInMs: number }
  | { event: 'relations'; refreshed: string[]; failed: string[] }
  | { event: 'stopping'; signal: string; queued: number }
  | { event: 'stopped'; queued: number };

function text(e: ListenEvent): string {
  const about = (x: { eventType: string; incidentId: string | null; webhookId: string }) =>
    `${x.eventType}${x.incidentId ? ` ${x.incidentId}` : ''} (webhook ${x.webhookId})`;
  switch (e.event) {
    case 'listening': return `listening on ${e.url}; ${e.queued} events queued in ${e.queueDir}`;
    case 'received': return `received ${about(e)}`;
    case 'applied': return `applied ${about(e)}, ${e.msSinceReceived} ms after it arrived`;
    case 'duplicate': return `duplicate ${about(e)}: applied before, skipped`;
    case 'rejected': return `rejected a delivery from ${e.remote} with ${e.status}: ${e.reason}`;
    case 'dropped': return `dropped ${about(e)}: ${e.reason}; the next pdsync run reconciles this incident`;
    case 'warning': return `warning: ${e.reason}`;
    case 'waiting': return `waiting: ${e.reason}; ${e.queued} events queued, next try in ${Math.round(e.retryInMs / 1000)} s`;
    case 'relations': return `relations: ${e.refreshed.join(', ') || 'none'} refreshed${e.failed.length ? `; failed: ${e.failed.join('; ')}` : ''}`;
    case 'stopping': return `${e.signal}: stopping; ${e.queued} events queued`;
    case 'stopped': return `stopped; ${e.queued} events left queued for the next start`;
  }
}

/** What -q leaves out: deliveries taken and applied, and relations kept (unless one failed). */
function routine(e: ListenEvent): boolean {
  return e.event === 'received' || e.event === 'applied' || e.event === 'duplicate' || (e.event === 'relations' && e.failed.length === 0);
}

/** Lines through the command's output, so secrets are scrubbed as `run` scrubs them. */
export class ListenLog {
  constructor(private readonly output: Output, private readonly json: boolean, private readonly quiet = false) {}

  /** Text that leaves the process another way (an HTTP answer), scrubbed like the log. */
  redact(text: string): string {
    return this.output.redact(text);
  }

  write(e: ListenEvent): void {
    if (this.json) {
      this.output.out(`${JSON.stringify({ at: new Date().toISOString(), ...e })}\n`);
      // Where it listens, and when it stops, are said on stderr too: what a person starting it looks for.
      if (e.event !== 'listening' && e.event !== 'stopping' && e.event !== 'stopped') return;
    }
    if (this.quiet && routine(e)) return;
    this.output.err(`pdsync listen: ${text(e)}`);
  }
}
