#!/usr/bin/env -S node --max-semi-space-size=8
// The orgpatch CLI. Runs the built code (npm run build); see the README. The shebang's flags are
// CLI_NODE_FLAGS (src/heap.ts): V8 reads them only at start.
import { boundHeapGrowth } from '../dist/heap.js';
import { main } from '../dist/main.js';

boundHeapGrowth();
process.exitCode = await main(process.argv);
