#!/usr/bin/env node
// The orgpatch CLI. Runs the built code (npm run build); see the README.
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv);
