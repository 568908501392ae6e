import { incidentRequests, lateChangeRequests } from './incident-requests.js';
import { loadThroughput } from './load-throughput.js';
import { requestBudget } from './request-budget.js';

/** `npm run bench`: prints each benchmark's figures. Select some with PDSYNC_BENCH=incidents,late,budget,load. */
const benches: Record<string, () => Promise<string[]>> = {
  incidents: incidentRequests,
  late: lateChangeRequests,
  budget: requestBudget,
  load: loadThroughput,
};
const selected = process.env.PDSYNC_BENCH?.split(',') ?? Object.keys(benches);
for (const name of selected) {
  const bench = benches[name];
  if (!bench) throw new Error(`unknown benchmark ${name}: expected one of ${Object.keys(benches).join(', ')}`);
  for (const line of await bench()) console.log(line);
}
