// The reference connector has no image of its own: it runs in the one images/Dockerfile defines,
// with the Dockerfile's defaults, so the pod is checked without any backend.
import { fileURLToPath } from 'node:url';
import { variant } from '@state-proxy/connector-memory/variant';
import { describePod } from './describe-pod.js';

describePod({
  declaration: variant,
  bundle: fileURLToPath(new URL('../../connector-memory/dist/main.cjs', import.meta.url)),
  buildArgs: async () => ({ VARIANT: 'memory' }),
  backendEnv: () => ({}),
});
