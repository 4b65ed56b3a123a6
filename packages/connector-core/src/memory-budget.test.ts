import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UnavailableError } from './errors.js';
import {
  containerMemoryLimit,
  DEFAULT_MEMORY_BUDGET_BYTES,
  defaultMemoryBudget,
  MemoryBudget,
  MIN_MEMORY_BUDGET_BYTES,
} from './memory-budget.js';

const MiB = 1024 * 1024;

describe('MemoryBudget', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('grants shares while it has room and takes them back once, however often released', () => {
    const budget = new MemoryBudget(100, 1000);
    const a = budget.tryReserve(60)!;
    expect(a.bytes).toBe(60);
    expect(budget.tryReserve(41)).toBeUndefined();
    const b = budget.tryReserve(40)!;
    expect(budget.availableBytes).toBe(0);
    a.release();
    a.release();
    expect(budget.availableBytes).toBe(60);
    b.release();
    expect(budget.availableBytes).toBe(100);
  });

  it('makes waiters wait first come, first served, and tryReserve never jumps the queue', async () => {
    const budget = new MemoryBudget(100, 10_000);
    const held = budget.tryReserve(100)!;
    const granted: string[] = [];
    const big = budget.reserve(80).then((share) => {
      granted.push('big');
      return share;
    });
    const small = budget.reserve(10).then((share) => {
      granted.push('small');
      return share;
    });
    // Room for the small one, but it stands behind the big one, and so does a tryReserve.
    expect(budget.tryReserve(1)).toBeUndefined();
    held.release();
    const [bigShare, smallShare] = await Promise.all([big, small]);
    expect(granted).toEqual(['big', 'small']);
    expect(budget.availableBytes).toBe(10);
    bigShare.release();
    smallShare.release();
    expect(budget.availableBytes).toBe(100);
  });

  it('caps a share larger than the whole budget at the budget', async () => {
    const budget = new MemoryBudget(100, 1000);
    const share = await budget.reserve(500);
    expect(share.bytes).toBe(100);
    expect(budget.availableBytes).toBe(0);
    share.release();
    expect(budget.availableBytes).toBe(100);
  });

  it('answers unavailable after waitMs, and the waiters behind a timed-out one go on', async () => {
    vi.useFakeTimers();
    const budget = new MemoryBudget(100, 1000);
    const held = budget.tryReserve(50)!;
    const big = budget.reserve(100);
    const bigFailed = expect(big).rejects.toBeInstanceOf(UnavailableError);
    await vi.advanceTimersByTimeAsync(500);
    const small = budget.reserve(50); // behind the big one although it fits
    await vi.advanceTimersByTimeAsync(500);
    await bigFailed;
    const smallShare = await small;
    expect(budget.availableBytes).toBe(0);
    smallShare.release();
    held.release();
    expect(budget.availableBytes).toBe(100);
  });
});

describe('containerMemoryLimit', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  async function limitFile(name: string, text: string): Promise<string> {
    dir ??= await mkdtemp(join(tmpdir(), 'memory-limit-'));
    const file = join(dir, name);
    await writeFile(file, text);
    return file;
  }

  it('reads a cgroup limit, and "max" or a huge v1 number mean none', async () => {
    expect(containerMemoryLimit([await limitFile('limit', '67108864\n')])).toBe(64 * MiB);
    expect(containerMemoryLimit([await limitFile('v2', 'max\n')])).toBeUndefined();
    expect(containerMemoryLimit([await limitFile('v1', '9223372036854771712\n')])).toBeUndefined();
    expect(containerMemoryLimit([join(tmpdir(), 'no-such-cgroup-file')])).toBeUndefined();
  });

  it('takes the first readable limit', async () => {
    const files = [join(tmpdir(), 'no-such-cgroup-file'), await limitFile('limit', '134217728')];
    expect(containerMemoryLimit(files)).toBe(128 * MiB);
  });
});

describe('defaultMemoryBudget', () => {
  it('is a sixteenth of the container limit, at least the minimum, or the default without a limit', () => {
    expect(defaultMemoryBudget(64 * MiB)).toBe(4 * MiB);
    expect(defaultMemoryBudget(128 * MiB)).toBe(8 * MiB);
    expect(defaultMemoryBudget(4 * MiB)).toBe(MIN_MEMORY_BUDGET_BYTES);
    expect(defaultMemoryBudget(undefined)).toBe(DEFAULT_MEMORY_BUDGET_BYTES);
  });
});
