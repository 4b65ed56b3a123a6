import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { requireBinaries } from './binaries.js';
import { startDaemon } from './daemon.js';
import { waitUntil } from './wait.js';

describe('waitUntil with a daemon', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'daemon-test-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('fails fast with the exit status and the tail of the log when the daemon dies', async () => {
    const daemon = startDaemon({
      name: 'doomed',
      command: 'sh',
      args: ['-c', 'echo "config line 7 is wrong" >&2; exit 3'],
      logFile: join(tempDir(), 'doomed.log'),
    });
    const error = await waitUntil(async () => false, {
      what: 'doomed to be ready',
      timeoutMs: 60_000,
      daemon,
    }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /doomed ended \(exit code 3\) while waiting for doomed to be ready/,
    );
    expect((error as Error).message).toContain('config line 7 is wrong');
  });

  it('times out with the tail of the log when the daemon never gets ready', async () => {
    const daemon = startDaemon({
      name: 'sleepy',
      command: 'sh',
      args: ['-c', 'echo "still warming up"; exec sleep 600'],
      logFile: join(tempDir(), 'sleepy.log'),
    });
    try {
      const error = await waitUntil(async () => false, {
        what: 'sleepy to be ready',
        timeoutMs: 200,
        daemon,
      }).catch((e: Error) => e);
      expect((error as Error).message).toMatch(/Timed out after 200 ms waiting for sleepy to be ready/);
      expect((error as Error).message).toContain('still warming up');
    } finally {
      await daemon.stop();
    }
    expect(daemon.hasExited()).toBe(true);
    expect(daemon.exitDescription()).toBe('signal SIGTERM');
  });

  it('resolves once the probe succeeds', async () => {
    let calls = 0;
    await waitUntil(async () => ++calls === 3, { what: 'the third call', timeoutMs: 60_000, pollMs: 1 });
    expect(calls).toBe(3);
  });
});

describe('requireBinaries', () => {
  it('says what to install, or which env var to set, when a binary is missing', () => {
    expect(() => requireBinaries(['sh', 'no-such-server-x'], ['no-such-pkg'], 'TEST_X_URL')).toThrow(
      /no-such-server-x not found on PATH\. Install it: apt-get install -y --no-install-recommends no-such-pkg .*or set TEST_X_URL/,
    );
  });
});
