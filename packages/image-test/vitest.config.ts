import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { sharedTestOptions } from '../../vitest.shared.js';
import { engineProblem } from './src/engine.js';

// Without an engine (no Docker, no podman as root) the images cannot run: say so, run nothing.
const problem = engineProblem();
if (problem) console.log(`image-test: the image tests do not run here: ${problem}`);

export default defineConfig({
  test: {
    ...sharedTestOptions,
    include: problem ? [] : ['src/**/*.test.ts'],
    passWithNoTests: true,
    // The engine and the images built from this checkout, then one S3 server for the run.
    globalSetup: problem ? [] : [fileURLToPath(new URL('src/global-setup.ts', import.meta.url))],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
