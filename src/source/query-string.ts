export type QueryValue = string | number | boolean | readonly string[];
export type Query = Record<string, QueryValue | undefined>;

/** PagerDuty's set filters repeat the key: `include[]=a&include[]=b`. */
export function toQueryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      const name = key.endsWith('[]') ? key : `${key}[]`;
      for (const v of value) params.append(name, v);
    } else {
      params.append(key, String(value));
    }
  }
  return params.toString();
}
