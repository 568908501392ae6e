// `npm run readme:streams`: rewrites README's stream table from specs/pagerduty.yaml.
import { readFileSync, writeFileSync } from 'node:fs';
import { loadCatalogue } from '../../src/catalogue/load-catalogue.js';
import { withStreamTable } from '../../src/catalogue/stream-table.js';

const path = new URL('../../README.md', import.meta.url);
writeFileSync(path, withStreamTable(readFileSync(path, 'utf8'), await loadCatalogue()));
