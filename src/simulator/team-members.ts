import { hash32, unitHash } from './random.js';
import { type Rec, toReference } from './refs.js';

function textHash(seed: number, text: string): number {
  let h = seed;
  for (const c of text) h = hash32(h, c.charCodeAt(0));
  return h;
}

/** A member's role in a team: drawn from the pair, so it stays put while the user stays in the team. */
function roleOf(seed: number, teamId: string, userId: string): string {
  const u = unitHash(textHash(seed, teamId), textHash(seed, userId));
  return u < 0.2 ? 'manager' : u < 0.85 ? 'responder' : 'observer';
}

/**
 * A team's members, in the order of the users list: exactly the users whose own `teams` field
 * names the team, as stored now, so membership agrees with /users whatever tests changed.
 */
export function membersOf(seed: number, teamId: string, users: Iterable<Rec>): Rec[] {
  const out: Rec[] = [];
  for (const user of users) {
    const teams = Array.isArray(user.teams) ? (user.teams as Rec[]) : [];
    if (!teams.some((t) => t?.id === teamId)) continue;
    out.push({ user: toReference(user), role: roleOf(seed, teamId, String(user.id)) });
  }
  return out;
}
