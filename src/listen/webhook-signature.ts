import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Whether `X-PagerDuty-Signature` signs the raw body with one of the secrets: any of its
 * comma-separated `v1=<hex HMAC-SHA256>` values may match (several come during a rotation, and
 * several secrets are accepted for the same reason). Compared in constant time.
 */
export function signatureMatches(rawBody: Buffer, header: string | undefined, secrets: readonly string[]): boolean {
  if (!header) return false;
  const offered = header
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.startsWith('v1='))
    .map((v) => Buffer.from(v.slice(3), 'hex'));
  let ok = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(rawBody).digest();
    // Every pair is compared, a match or not: the time taken says nothing about which one matched.
    for (const o of offered) if (o.length === expected.length && timingSafeEqual(o, expected)) ok = true;
  }
  return ok;
}
