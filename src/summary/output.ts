import { secretForms } from './secret-forms.js';

/** The local time of day, `14:03:07`, that starts each line of a log. */
export function timeOfDay(at: Date): string {
  return [at.getHours(), at.getMinutes(), at.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/**
 * Everything pdsync prints goes through here, so no secret reaches the terminal or a CI log:
 * API keys, OAuth secrets and database passwords are registered as soon as config is read, and
 * every line is scrubbed of them, whoever wrote it (pdsync, pg or undici). Secrets learnt later
 * (an OAuth access token) are registered the moment they are obtained. Without a terminal (cron,
 * CI), each line on stderr starts with the local time, so appended runs can be told apart.
 */
export class Output {
  private readonly secrets = new Set<string>();
  private readonly forms = new Set<string>();
  /** The longest first, so a form that holds another is scrubbed whole. */
  private ordered: string[] = [];

  constructor(
    private readonly stdout: (s: string) => void = (s) => process.stdout.write(s),
    private readonly stderr: (s: string) => void = (s) => process.stderr.write(s),
    /** Whether stderr is a terminal that can show live progress. */
    readonly isTTY = process.stderr.isTTY === true,
    readonly color = process.stderr.isTTY === true && !process.env.NO_COLOR,
    /** Each stderr line starts with the time of day. */
    readonly stamp = process.stderr.isTTY !== true,
    private readonly now = () => new Date(),
  ) {}

  addSecret(secret: string | undefined): void {
    // Very short strings would scrub ordinary words; real secrets are longer.
    if (!secret || secret.length < 4 || this.secrets.has(secret)) return;
    this.secrets.add(secret);
    for (const form of secretForms(secret)) this.forms.add(form);
    this.ordered = [...this.forms].sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.ordered) out = out.split(s).join('****');
    return out;
  }

  /** Data for machines (the JSON summary, listings). */
  out(text: string): void {
    this.stdout(this.redact(text));
  }

  /** One line (or a few) for people, on stderr. */
  err(line: string): void {
    const text = this.redact(line);
    if (!this.stamp) return this.stderr(`${text}\n`);
    const time = timeOfDay(this.now());
    this.stderr(`${text.split('\n').map((l) => (l ? `${time} ${l}` : l)).join('\n')}\n`);
  }

  /** Raw terminal control for the live progress block; scrubbed like the rest. */
  rawErr(text: string): void {
    this.stderr(this.redact(text));
  }
}
