/**
 * The conformance suite (`@state-proxy/connector-core/conformance`, vitest): drives a connector over
 * its socket and pins the statuses, headers and bodies of the protocol (docs/protocol.md). Every
 * connector runs it against its real backend, in one test file:
 *
 *   describeConformance({
 *     name: 'my-connector',
 *     start: (env) => spawnConnector({ entry, env: { MY_BACKEND_URL: url, STATE_PREFIX: uniquePrefix(), ...env } }),
 *     features: { variant },
 *   });
 *
 * `start` must give a fresh, empty namespace each time (e.g. a unique STATE_PREFIX) and let `env`
 * override settings (STATE_MAX_BODY_BYTES, STATE_PREFIX...). `features` switches groups on: the
 * lost-update tests of the variant's consistency, streaming, extended attributes and TTL, backend
 * faults through a proxy; a group left out is one test named `not run: <why>`, which fails if its
 * feature is declared after all (suite-not-run.ts). `additionalTests` adds the connector's own,
 * with the same client.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import { ConnectorClient } from '../testing/client.js';
import type { StartedConnector } from '../testing/spawn.js';
import type { ConformanceFeatures, Suite } from './suite.js';
import { attributeTests } from './suite-attributes.js';
import { badInputTests } from './suite-bad-input.js';
import { conditionTests } from './suite-conditions.js';
import { consistencyTests } from './suite-consistency.js';
import { faultTests } from './suite-faults.js';
import { fuzzTests, volumeTests } from './suite-fuzz.js';
import { keyTests } from './suite-keys.js';
import { keyLimitTests, limitTests, metaLimitTests } from './suite-limits.js';
import { listingTests } from './suite-listing.js';
import { notRunTests } from './suite-not-run.js';
import { serviceTests } from './suite-service.js';
import { stallTests } from './suite-stalls.js';
import { streamingTests } from './suite-streaming.js';
import { ttlTests } from './suite-ttl.js';

export { describeStandaloneBundle, type StandaloneBundleOptions } from './bundle.js';
export type { ConformanceFeatures, Suite } from './suite.js';
export { expectError, json, sha256 } from './suite.js';
export type { FaultHooks } from './suite-faults.js';
export type { VolumeFeature } from './suite-fuzz.js';

export interface ConformanceOptions {
  name: string;
  start(env?: Record<string, string>): Promise<StartedConnector>;
  features: ConformanceFeatures;
  /** Tests of the connector's own, in the same describe block, with the suite's client and hooks. */
  additionalTests?(suite: Suite): void;
}

export function describeConformance(options: ConformanceOptions): void {
  const { features } = options;
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
      features,
      start: options.start,
      replicas:
        features.replicas === undefined
          ? (count) => {
              const shared = { STATE_PREFIX: `replicas-${randomBytes(4).toString('hex')}` };
              return Promise.all(Array.from({ length: count }, () => options.start(shared)));
            }
          : features.replicas,
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
    consistencyTests(suite);
    attributeTests(suite);
    // The optional groups (OPTIONAL_GROUPS): each one left out is one test saying so.
    const covered = new Set<string>();
    const optional = (name: string, register: () => void) => {
      covered.add(name);
      register();
    };
    if (features.variant.attributes.includes('ttl')) optional('ttl attribute', () => ttlTests(suite));
    if (features.variant.writeMode === 'streaming') optional('streaming writes', () => streamingTests(suite));
    badInputTests(suite);
    limitTests(suite);
    metaLimitTests(suite);
    keyLimitTests(suite);
    stallTests(suite);
    const { faults, volume } = features;
    if (faults) optional('backend faults', () => faultTests(faults));
    fuzzTests(suite);
    if (volume) optional('volume', () => volumeTests(suite, volume));
    notRunTests(features, covered);
    options.additionalTests?.(suite);
  });
}
