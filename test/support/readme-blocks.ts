import { readFileSync } from 'node:fs';

const README = new URL('../../README.md', import.meta.url);

/** The fenced blocks of one language in README's `## heading` section, in order: what a reader copies from there. */
export function readmeBlocks(heading: string, lang: string): string[] {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README.md has no section "## ${heading}"`);
  const end = text.indexOf('\n## ', start + 1);
  const section = text.slice(start, end < 0 ? undefined : end);
  const blocks = [...section.matchAll(new RegExp(`^\`\`\`${lang}\\n([^]*?)^\`\`\`$`, 'gm'))].map((m) => m[1]!);
  if (blocks.length === 0) throw new Error(`README.md's "## ${heading}" has no \`\`\`${lang} block`);
  return blocks;
}

export interface CrontabEntry {
  /** Variables the crontab sets (`PATH=...`) for the entries below them. */
  env: Record<string, string>;
  /** The command after the five schedule fields, as cron hands it to /bin/sh. */
  command: string;
}

/** The single entry of a crontab, with the variables set above it. */
export function crontabEntry(crontab: string): CrontabEntry {
  const env: Record<string, string> = {};
  const commands: string[] = [];
  for (const line of crontab.split('\n').map((l) => l.trim())) {
    if (!line || line.startsWith('#')) continue;
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (assignment) env[assignment[1]!] = assignment[2]!;
    else commands.push(/^(?:\S+\s+){5}(.+)$/.exec(line)?.[1] ?? line);
  }
  if (commands.length !== 1) throw new Error(`expected one crontab entry, found ${commands.length}`);
  return { env, command: commands[0]! };
}
