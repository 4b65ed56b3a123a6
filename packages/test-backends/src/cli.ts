#!/usr/bin/env node
import { runWithBackends } from './run-with-backends.js';

process.exitCode = await runWithBackends(process.argv.slice(2));
