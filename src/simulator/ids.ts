import { hash32 } from './random.js';

/**
 * The id spaces: each stream, and each sub-object with an id of its own (contact methods, ...),
 * owns one namespace of 2^26 indices. Frozen: a generated stream not named here gets the next
 * namespace after these, in the order of GENERATORS (generators.ts).
 */
export const NAMESPACES = [
  'users', 'teams', 'services', 'escalation_policies', 'schedules', 'priorities', 'tags', 'business_services',
  'vendors', 'incidents', 'log_entries', 'notifications', 'contact_methods', 'notification_rules', 'integrations',
  'schedule_layers', 'escalation_rules',
  // Appended, so the ids of the namespaces above stay what they were.
  'incident_notes', 'incident_alerts', 'change_events', 'audit_records', 'maintenance_windows',
] as const;

export const MAX_INDEX = 2 ** 26;

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const SPACE = 36n ** 6n;
/** Coprime with 36, so n -> n * MULTIPLIER + offset is a bijection of [0, 36^6). */
const MULTIPLIER = 1_402_797_691n;

function inverseMod(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % m) + m) % m;
}
const INVERSE = inverseMod(MULTIPLIER, SPACE);
/** Namespaces that fit the id space: 36^6 ids hold 32 spaces of 2^26 indices. */
const MAX_NAMESPACES = Number(SPACE / BigInt(MAX_INDEX));

/**
 * PagerDuty-looking ids ("P" + 6 of [0-9A-Z]) from (namespace, index): a bijection, so ids are
 * unique across all namespaces and an id decodes back to its index without any lookup table.
 */
export class IdCodec {
  private readonly offset: bigint;
  private readonly spaces: readonly string[];

  /** `streams`: the generated streams, whose namespaces follow the frozen ones. */
  constructor(seed: number, streams: readonly string[]) {
    this.offset = BigInt(hash32(seed, 0x1d5)) % SPACE;
    this.spaces = [...NAMESPACES, ...streams.filter((s) => !(NAMESPACES as readonly string[]).includes(s))];
    if (this.spaces.length > MAX_NAMESPACES) throw new RangeError(`${this.spaces.length} id namespaces: at most ${MAX_NAMESPACES} fit`);
  }

  /** The namespace's number, which also separates its random draws. */
  namespace(ns: string): number {
    const k = this.spaces.indexOf(ns);
    if (k < 0) throw new RangeError(`no id namespace "${ns}"`);
    return k;
  }

  encode(ns: string, index: number): string {
    if (!Number.isInteger(index) || index < 0 || index >= MAX_INDEX) throw new RangeError(`id index ${index} out of range`);
    const n = BigInt(this.namespace(ns) * MAX_INDEX + index);
    let y = (n * MULTIPLIER + this.offset) % SPACE;
    let s = '';
    for (let k = 0; k < 6; k++) {
      s = ALPHABET[Number(y % 36n)]! + s;
      y /= 36n;
    }
    return `P${s}`;
  }

  /** The index an id encodes in `ns`, or undefined for an id of another namespace or shape. */
  decode(ns: string, id: string): number | undefined {
    if (!/^P[0-9A-Z]{6}$/.test(id)) return undefined;
    let y = 0n;
    for (const c of id.slice(1)) y = y * 36n + BigInt(ALPHABET.indexOf(c));
    const n = Number((((y - this.offset) % SPACE) + SPACE) % SPACE * INVERSE % SPACE);
    return Math.floor(n / MAX_INDEX) === this.namespace(ns) ? n % MAX_INDEX : undefined;
  }
}

const LONG_SPACE = 36n ** 13n;
/** Odd and not a multiple of 3, so coprime with 36: n -> n * LONG_MULTIPLIER + offset is a bijection. */
const LONG_MULTIPLIER = 6_364_136_223_846_793_007n;

/**
 * PagerDuty's newer 14-character ids ("Q" + 13 of [0-9A-Z]), as alerts have: a bijection of
 * (parent, child) pairs, so a child's id is unique without counting its siblings' elders.
 */
export class LongIdCodec {
  private readonly offset: bigint;

  constructor(seed: number) {
    this.offset = (BigInt(hash32(seed, 0x10e)) * 2n ** 32n + BigInt(hash32(seed, 0x10f))) % LONG_SPACE;
  }

  /** Child `child` (< 2^16) of parent `parent` (< 2^40). */
  encode(parent: number, child: number): string {
    let y = ((BigInt(parent) * 65_536n + BigInt(child)) * LONG_MULTIPLIER + this.offset) % LONG_SPACE;
    let s = '';
    for (let k = 0; k < 13; k++) {
      s = ALPHABET[Number(y % 36n)]! + s;
      y /= 36n;
    }
    return `Q${s}`;
  }
}
