#!/usr/bin/env node
// The orgpatch CLI. Runs the built code (npm run build); see the README.
import { boundHeapGrowth } from '../dist/heap.js';
import { main } from '../dist/main.js';

boundHeapGrowth();
process.exitCode = await main(process.argv);
