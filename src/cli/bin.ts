#!/usr/bin/env -S node --max-semi-space-size=4 --
// `node --` ends Node's own option parsing, so pdsync's `--env-file FILE` is pdsync's (nodejs/node#54232).
// A small young generation keeps a long load's memory flat (peak RSS ~150 MB rather than ~210 MB for 1M rows).
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
