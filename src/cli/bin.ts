#!/usr/bin/env -S node --max-semi-space-size=4 --max-old-space-size=96 --
// `node --` ends Node's own option parsing, so pdsync's `--env-file FILE` is pdsync's (nodejs/node#54232).
// Memory is bounded by batches, not by streams: what a run holds live is a few pages and COPY
// batches (~30 MB), but V8 lets garbage of a long load pile up in a heap free to grow (peak RSS
// 210-290 MB for 200k log entries). A small young generation and a 96 MB old one make it collect
// sooner, at no cost in rows/s: ~118 MB (`PDSYNC_BENCH=memory npm run bench`).
import { processContext } from './context.js';
import { main } from './main.js';

// The one place that ends the process: commands return their exit code, or ask to quit at once.
process.exitCode = await main(process.argv.slice(2), processContext((code) => process.exit(code)));
