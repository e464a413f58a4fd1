#!/usr/bin/env -S node --max-semi-space-size=8
// The orgpatch CLI. Runs the built bundle (npm run build; scripts/bundle.mjs); see the README. The
// shebang's flags are CLI_NODE_FLAGS (src/heap.ts): V8 reads them only at start.
import { boundHeapGrowth } from '../dist/bundle/heap.js';
import { main } from '../dist/bundle/main.js';

boundHeapGrowth();
process.exitCode = await main(process.argv);
