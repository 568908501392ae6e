import { resolve } from 'node:path';
import { ConfigError } from '../../errors.js';
import { EXPORT_FORMATS, type ExportFormat } from '../../simulator/export-choices.js';

/** `pdsync simulator`'s options as commander gives them: strings, and absent when not typed. */
export interface SimulatorFlags {
  port?: string;
  seed: string;
  export?: string;
  format?: string;
  records?: string;
  streams?: string;
  force?: boolean;
}

export type SimulatorAction =
  | { kind: 'serve'; port: number; seed: number }
  | { kind: 'export'; dir: string; format: ExportFormat; seed: number; records: number; streams?: string[]; force: boolean };

export const DEFAULT_PORT = 8089;
export const DEFAULT_RECORDS = 1000;
const MAX_RECORDS = 1_000_000;
const EXPORT_ONLY = ['format', 'records', 'streams', 'force'] as const;

function parseInteger(value: string, option: string, min: number, max: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`simulator: ${option} "${value}": expected an integer from ${min} to ${max}`);
  }
  return n;
}

function parseFormat(format: string | undefined): ExportFormat {
  if (format === undefined) throw new ConfigError('simulator --export: --format is missing: add --format csv or --format json');
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new ConfigError(`simulator: --format "${format}": expected ${EXPORT_FORMATS.join(' or ')}`);
  }
  return format as ExportFormat;
}

function parseStreams(list: string | undefined): string[] | undefined {
  if (list === undefined) return undefined;
  const streams = list.split(',').map((s) => s.trim());
  if (streams.some((s) => s === '')) throw new ConfigError(`simulator: --streams "${list}": expected stream names separated by commas, e.g. users,schedules`);
  return streams;
}

/** Which of the two jobs the flags ask for, checked: serve the API on a port, or export the account to files. */
export function simulatorAction(flags: SimulatorFlags, cwd: string): SimulatorAction {
  const seed = parseInteger(flags.seed, '--seed', 0, 2 ** 31 - 1);
  if (flags.export === undefined) {
    const stray = EXPORT_ONLY.find((f) => flags[f] !== undefined);
    if (stray) throw new ConfigError(`simulator: --${stray} goes with --export DIR: add --export DIR, or drop --${stray} to serve the API`);
    return { kind: 'serve', port: flags.port === undefined ? DEFAULT_PORT : parseInteger(flags.port, '--port', 0, 65535), seed };
  }
  if (flags.port !== undefined) throw new ConfigError('simulator: --port serves the API and --export writes files: give one of them');
  if (flags.export.trim() === '') throw new ConfigError('simulator: --export needs a folder, e.g. --export ./synthetic');
  const streams = parseStreams(flags.streams);
  return {
    kind: 'export',
    dir: resolve(cwd, flags.export),
    format: parseFormat(flags.format),
    seed,
    records: flags.records === undefined ? DEFAULT_RECORDS : parseInteger(flags.records, '--records', 1, MAX_RECORDS),
    ...(streams ? { streams } : {}),
    force: flags.force === true,
  };
}
