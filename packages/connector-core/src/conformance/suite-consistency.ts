/**
 * The lost-update invariant (docs/consistency.md#the-read-to-write-span), by the variant's
 * declared consistency: W workers read a counter, add one and write it back, retrying on 409,
 * each through its own connector (one sidecar per actor replica), all on one namespace.
 */
import { describe, expect, it } from 'vitest';
import { ConnectorClient } from '../testing/client.js';
import { runCounterWorkload } from '../testing/counter-workload.js';
import type { StartedConnector } from '../testing/spawn.js';
import { uniqueKey } from '../testing/unique-key.js';
import { expectError, type Suite } from './suite.js';

const WORKERS = 8;
const CYCLES = 20;

export function consistencyTests(suite: Suite): void {
  const { consistency } = suite.features.variant;
  describe(`consistency: ${consistency}`, () => {
    // Without replicas (the run said its connectors cannot share a namespace) the If-Match test
    // below runs, and one test says what is not.
    const startReplicas = suite.replicas ?? undefined;
    /** Runs the workload on WORKERS replicas sharing one namespace; stops them afterwards. */
    async function onReplicas(startReplicas: (count: number) => Promise<StartedConnector[]>) {
      const replicas = await startReplicas(WORKERS);
      try {
        return await runCounterWorkload({
          sockets: replicas.map((replica) => replica.socketPath),
          key: uniqueKey('counter'),
          workers: WORKERS,
          cycles: CYCLES,
        });
      } finally {
        await Promise.all(replicas.map((replica) => replica.stop()));
      }
    }

    if (startReplicas && consistency === 'cas') {
      it(`${WORKERS} replicas x ${CYCLES} read-increment-write cycles, retrying on 409, end at exactly ${WORKERS * CYCLES}`, async () => {
        const result = await onReplicas(startReplicas);
        expect(result.final).toBe(WORKERS * CYCLES);
        expect(result.conflicts).toBeGreaterThan(0); // the replicas really did race
      });

      it('a plain write after a read is 409 when another replica changed the key in between', async () => {
        const [a, b] = (await startReplicas(2)) as [StartedConnector, StartedConnector];
        const ca = new ConnectorClient(a.socketPath);
        const cb = new ConnectorClient(b.socketPath);
        const key = uniqueKey('span');
        const fresh = uniqueKey('span-fresh');
        try {
          expect((await ca.put(key, 'v1')).status).toBe(204);
          expect((await ca.get(key)).body.toString()).toBe('v1');
          expect((await cb.put(key, 'v2')).status).toBe(204);
          expectError(await ca.put(key, 'from-a'), 409, 'conflict');
          // The conflict forgot the key: after a re-read the write goes through.
          expect((await ca.get(key)).body.toString()).toBe('v2');
          expect((await ca.put(key, 'from-a')).status).toBe(204);
          // A read that saw "absent" makes the next plain write a create-if-absent.
          expect((await ca.get(fresh)).status).toBe(404);
          expect((await cb.put(fresh, 'b-first')).status).toBe(204);
          expectError(await ca.put(fresh, 'a-second'), 409, 'conflict');
        } finally {
          ca.close();
          cb.close();
          await Promise.all([a.stop(), b.stop()]);
        }
      });
    } else if (startReplicas) {
      it(`${WORKERS} replicas writing back blindly lose updates: last write wins (the workload can fail)`, async () => {
        const result = await onReplicas(startReplicas);
        expect(result.conflicts).toBe(0);
        expect(result.final).toBeLessThan(WORKERS * CYCLES);
      });
    } else {
      // Shown in the counts, and failing should the run have declared replicas after all.
      it(`not run: features.replicas is null (it would cover ${WORKERS} replicas racing on one key${consistency === 'cas' ? ', and a plain write after another replica wrote being 409' : ''})`, () => {
        expect(suite.features.replicas).toBeNull();
      });
    }

    it(`workers sending If-Match are exact, ${WORKERS} of them through one connector`, async () => {
      const result = await runCounterWorkload({
        sockets: [suite.socketPath],
        key: uniqueKey('counter-if-match'),
        workers: WORKERS,
        cycles: CYCLES,
        explicitIfMatch: true,
      });
      expect(result.final).toBe(WORKERS * CYCLES);
    });
  });
}
