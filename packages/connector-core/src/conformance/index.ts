/**
 * The conformance suite: drives a connector over its socket and pins the statuses, headers and
 * bodies of the protocol (docs/protocol.md). Every connector runs it against its real backend:
 *
 *   describeConformance({ name: 'my-connector', start: (env) => spawnConnector({ entry, env: { ...env } }) });
 *
 * `start` must give a fresh, empty namespace each time (e.g. a unique STATE_PREFIX); `env`
 * overrides settings such as STATE_MAX_BODY_BYTES.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { ConnectorClient } from '../client.js';
import type { StartedConnector } from '../spawn.js';
import type { Suite } from './suite.js';
import { badInputTests } from './suite-bad-input.js';
import { conditionTests } from './suite-conditions.js';
import { fuzzTests } from './suite-fuzz.js';
import { keyTests } from './suite-keys.js';
import { keyLimitTests, limitTests, metaLimitTests } from './suite-limits.js';
import { listingTests } from './suite-listing.js';
import { serviceTests } from './suite-service.js';
import { stallTests } from './suite-stalls.js';

export { type SpawnedConnector, type SpawnOptions, type StartedConnector, spawnConnector } from '../spawn.js';
export { describeStandaloneBundle } from './bundle.js';
export { abandonedUpload, type RawResponse, rawRequest } from './raw.js';

export interface ConformanceOptions {
  name: string;
  start(env?: Record<string, string>): Promise<StartedConnector>;
}

export function describeConformance(options: ConformanceOptions): void {
  describe(`conformance: ${options.name}`, () => {
    let connector: StartedConnector | undefined;
    let client: ConnectorClient | undefined;
    const suite: Suite = {
      get client() {
        if (!client) throw new Error('connector not started');
        return client;
      },
      get socketPath() {
        if (!connector) throw new Error('connector not started');
        return connector.socketPath;
      },
      start: options.start,
    };

    beforeAll(async () => {
      connector = await options.start();
      client = new ConnectorClient(connector.socketPath);
    });
    afterAll(async () => {
      client?.close();
      await connector?.stop();
    });

    serviceTests(suite);
    keyTests(suite);
    listingTests(suite);
    conditionTests(suite);
    badInputTests(suite);
    limitTests(suite);
    metaLimitTests(suite);
    keyLimitTests(suite);
    stallTests(suite);
    fuzzTests(suite);
  });
}
