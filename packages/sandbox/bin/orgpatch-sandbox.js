#!/usr/bin/env node
// Runs the sandbox as a process and prints its endpoint. Needs `npm run build`.
import { runSandboxProcess } from '../dist/process.js';

await runSandboxProcess(process.argv);
