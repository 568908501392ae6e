import { childStreamCost } from './child-streams.js';
import { exportSpeed } from './export.js';
import { incidentRequests, lateChangeRequests } from './incident-requests.js';
import { listenLatency } from './listen-latency.js';
import { loadThroughput } from './load-throughput.js';
import { memory } from './memory.js';
import { relationQueries } from './relations.js';
import { requestBudget, requestsPerRows } from './request-budget.js';
import { resumeAfterKill, stagingThroughput } from './staging.js';
import { startup } from './startup.js';

/** `npm run bench`: prints each benchmark's figures. Select some with PDSYNC_BENCH=incidents,late,budget,requests,load,staging,resume,startup,relations,children,listen,memory,export. */
const benches: Record<string, () => Promise<string[]>> = {
  incidents: incidentRequests,
  late: lateChangeRequests,
  budget: requestBudget,
  requests: requestsPerRows,
  load: loadThroughput,
  staging: stagingThroughput,
  resume: resumeAfterKill,
  startup,
  relations: relationQueries,
  children: childStreamCost,
  listen: listenLatency,
  memory,
  export: exportSpeed,
};
const selected = process.env.PDSYNC_BENCH?.split(',') ?? Object.keys(benches);
for (const name of selected) {
  const bench = benches[name];
  if (!bench) throw new Error(`unknown benchmark ${name}: expected one of ${Object.keys(benches).join(', ')}`);
  for (const line of await bench()) console.log(line);
}
