import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const JANITOR = fileURLToPath(new URL('./janitor.ts', import.meta.url));

/** A process that hands `keep` and `forget` to the janitor, forgets `forget`, then is SIGKILLed. */
async function killedOwner(keep: string, forget: string): Promise<void> {
  // Node runs the TypeScript module as it is (type stripping).
  const script = `
    const { leaveToJanitor } = await import(${JSON.stringify(JANITOR)});
    leaveToJanitor({ dir: ${JSON.stringify(keep)} });
    leaveToJanitor({ dir: ${JSON.stringify(forget)} })();
    console.log('ready');
    setInterval(() => {}, 1000);
  `;
  const owner = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await once(owner.stdout, 'data');
  owner.kill('SIGKILL');
  await once(owner, 'exit');
}

it('removes what a SIGKILLed test process left, and leaves alone what it had cleaned up itself', async () => {
  const left = await mkdtemp(join(tmpdir(), 'janitor-left-'));
  const cleaned = await mkdtemp(join(tmpdir(), 'janitor-cleaned-'));
  try {
    await killedOwner(left, cleaned);
    const deadline = Date.now() + 10_000;
    while (existsSync(left)) {
      if (Date.now() > deadline) throw new Error(`${left} still there 10 s after its owner was killed`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(existsSync(cleaned)).toBe(true);
  } finally {
    await rm(left, { recursive: true, force: true });
    await rm(cleaned, { recursive: true, force: true });
  }
});
