import type { Account } from './account.js';
import { refTo } from './account-refs.js';
import { head, type Rec } from './refs.js';
import { DAY, HOUR, formatTimestamp } from './time.js';

const REASONS = ['Database upgrade', 'Network switch replacement', 'Certificate rotation', 'Data centre power test', 'Kernel patching'];

/**
 * Maintenance window m: spread evenly over the account's span (the last few reach past its end,
 * as planned windows do), on one to three services; teams are those of its services.
 */
export function maintenanceWindowRecord(a: Account, m: number): Rec {
  const r = a.rng('maintenance_windows', m);
  const n = a.volumes.maintenance_windows;
  const startMs = a.startMs + Math.floor(((m + 0.5) * (a.endMs - a.startMs + 14 * DAY)) / n / HOUR) * HOUR;
  const services = r.distinct(a.volumes.services, 1 + r.int(Math.min(3, a.volumes.services))).sort((x, y) => x - y);
  const teams = [...new Set(services.map((s) => a.org.teamOfService(s)))].sort((x, y) => x - y);
  const description = `${REASONS[r.int(REASONS.length)]} (window ${m + 1})`;
  return {
    ...head('maintenance_windows', a.id('maintenance_windows', m), description),
    sequence_number: m + 1,
    start_time: formatTimestamp(startMs),
    end_time: formatTimestamp(startMs + (1 + r.int(6)) * HOUR),
    description,
    created_by: refTo(a, 'users', r.int(a.volumes.users)),
    services: services.map((s) => refTo(a, 'services', s)),
    teams: teams.map((t) => refTo(a, 'teams', t)),
  };
}
