/** One PagerDuty record as the API returns it: the unit that flows from source to target. */
export type ApiRecord = Record<string, unknown>;
