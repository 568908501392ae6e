#!/usr/bin/env -S node --
// `node --` ends Node's own option parsing, so pdsync's `--env-file FILE` is pdsync's (nodejs/node#54232).
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
