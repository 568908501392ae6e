/**
 * The forms a secret takes once something has encoded it: an error body or a JSON document
 * quotes it JSON-escaped (once, or twice when JSON sits inside a JSON string), a URL or a form
 * percent-encodes it (a form writes a space as '+' and escapes more characters), an
 * Authorization or a config file may hold it in base64. Each is scrubbed as the secret is.
 */
export function secretForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const base64 = Buffer.from(secret).toString('base64').replace(/=+$/, '');
  return [
    secret,
    json,
    JSON.stringify(json).slice(1, -1),
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    base64,
    base64.replaceAll('+', '-').replaceAll('/', '_'),
  ];
}
