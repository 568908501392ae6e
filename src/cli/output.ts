import { secretForms } from './secret-forms.js';

/**
 * Everything pdsync prints goes through here, so no secret reaches the terminal or a CI log:
 * API keys, OAuth secrets and database passwords are registered as soon as config is read, and
 * every line is scrubbed of them, whoever wrote it (pdsync, pg or undici). Secrets learnt later
 * (an OAuth access token) are registered the moment they are obtained.
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

  /** One line for people, on stderr. */
  err(line: string): void {
    this.stderr(`${this.redact(line)}\n`);
  }

  /** Raw terminal control for the live progress block; scrubbed like the rest. */
  rawErr(text: string): void {
    this.stderr(this.redact(text));
  }
}
