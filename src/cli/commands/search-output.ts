import type { Names, OnCall, SearchHit } from '../../sinks/postgres/relations/search-hits.js';

const TYPE_LABEL: Record<string, string> = {
  service: 'service', escalation_policy: 'escalation policy', schedule: 'schedule', team: 'team', user: 'user', business_service: 'business service',
};

/** A time as people read it in a terminal: `2026-12-07 09:00 UTC`. */
const readable = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** A referenced record by name when the reader may see it, else by id. */
const named = (names: Names, type: string, id: string) => {
  const name = names.get(`${type}:${id}`);
  return name ? `${name} (${id})` : id;
};

function onCallLine(o: OnCall): string {
  return `     level ${o.level}: ${o.user_name ?? '(no name)'} (${o.user_id}) ${o.until ? `until ${readable(o.until)}` : 'always (named in the rule)'}`;
}

/** One block per hit, a blank line between: what it is, where to open it, its teams and who is on call now. */
export function formatHits(hits: SearchHit[], names: Names): string {
  const blocks = hits.map((h, i) => {
    const lines = [`${i + 1}. ${TYPE_LABEL[h.type] ?? h.type}: ${h.name ?? '(no name)'} (${h.id})`];
    if (h.html_url) lines.push(`   ${h.html_url}`);
    lines.push(`   teams: ${h.team_ids.length ? h.team_ids.map((t) => named(names, 'team', t)).join(', ') : 'none'}`);
    if (h.escalation_policy_id) lines.push(`   escalation policy: ${named(names, 'escalation_policy', h.escalation_policy_id)}`);
    if (h.on_call) {
      lines.push(h.on_call.length ? '   on call now:' : '   on call now: nobody in the oncalls table');
      lines.push(...h.on_call.map(onCallLine));
    }
    return lines.join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}
