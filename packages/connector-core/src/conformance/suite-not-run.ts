/**
 * The groups a run can leave out, each shown in the counts when it is: one test named
 * `not run: <why> (it would cover ...)`. That test checks the declaration that left the group
 * out, so a feature declared while its group is missing fails the run rather than passing quietly.
 */
import { describe, expect, it } from 'vitest';
import type { ConformanceFeatures } from './suite.js';

interface OptionalGroup {
  name: string;
  declared(features: ConformanceFeatures): boolean;
  /** Why it is left out when it is not declared. */
  why: string;
  covers: string;
}

export const OPTIONAL_GROUPS: readonly OptionalGroup[] = [
  {
    name: 'ttl attribute',
    declared: (features) => features.variant.attributes.includes('ttl'),
    why: "variant.attributes has no 'ttl'",
    covers: 'seconds left, -1 without an expiry, a write clearing it, 0 or less deleting the key',
  },
  {
    name: 'streaming writes',
    declared: (features) => features.variant.writeMode === 'streaming',
    why: "variant.writeMode is not 'streaming'",
    covers: 'a 24 MiB chunked upload streamed through and read back byte for byte',
  },
  {
    name: 'backend faults',
    declared: (features) => features.faults !== undefined,
    why: 'features.faults unset',
    covers:
      'a stopped backend: 503 and /readyz 503; a hung one: 504 after STATE_BACKEND_TIMEOUT_MS; /readyz within its own deadline; recovery without a restart',
  },
  {
    name: 'volume',
    declared: (features) => features.volume !== undefined,
    why: 'features.volume unset',
    covers: "many distinct long keys read, and a listing of many keys, in the image's heap",
  },
];

/** One test for each optional group not in `covered` (the names of those registered). */
export function notRunTests(features: ConformanceFeatures, covered: ReadonlySet<string>): void {
  for (const group of OPTIONAL_GROUPS) {
    if (covered.has(group.name)) continue;
    describe(group.name, () => {
      it(`not run: ${group.why} (it would cover ${group.covers})`, () => {
        expect(group.declared(features), `${group.name} is declared, yet its tests were left out`).toBe(
          false,
        );
      });
    });
  }
}
