import { incidentMetrics } from './incident-metrics.js';
import { oncallLoad } from './oncall-load.js';
import type { Relation } from './relation.js';
import { searchDocuments } from './search-documents.js';
import { serviceWeekly } from './service-weekly.js';
import { statusHistory } from './status-history.js';

/** In the order they are kept: a relation comes after those it reads. */
export const RELATIONS: Relation[] = [incidentMetrics, statusHistory, serviceWeekly, oncallLoad, searchDocuments];
