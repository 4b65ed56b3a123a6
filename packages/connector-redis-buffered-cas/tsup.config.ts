import { bundleConfig } from '../../scripts/tsup-bundle.js';
import { redisClientCommandsOnly } from '../../scripts/tsup-redis-client.js';

export default bundleConfig({ esbuildPlugins: [redisClientCommandsOnly] });
