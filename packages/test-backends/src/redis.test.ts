import { createClient } from 'redis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { redisBackend, startLocalRedis } from './redis.js';
import { redisAnswersPing } from './redis-server.js';

async function roundTrip(url: string, key: string, value: string): Promise<string | null> {
  const client = createClient({ url });
  await client.connect();
  try {
    await client.set(key, value);
    return await client.get(key);
  } finally {
    client.destroy();
  }
}

describe('redisBackend', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('gives a server that stores and returns a value (as configured for this run)', async () => {
    const backend = await redisBackend();
    try {
      expect(await roundTrip(backend.url, 'smoke', 'hello')).toBe('hello');
    } finally {
      await backend.stop();
    }
  });

  it('starts its own server when TEST_REDIS_URL is not set, and stops it', async () => {
    vi.stubEnv('TEST_REDIS_URL', '');
    const backend = await redisBackend();
    const { hostname, port } = new URL(backend.url);
    expect(await roundTrip(backend.url, 'smoke', 'own')).toBe('own');
    await backend.stop();
    expect(await redisAnswersPing(hostname, Number(port))).toBe(false);
  });
});

describe('startLocalRedis', () => {
  it('stops and starts again on the same port, keeping the data', async () => {
    const redis = await startLocalRedis();
    try {
      expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
      expect(await roundTrip(redis.url, 'kept', 'across restarts')).toBe('across restarts');

      await redis.stop();
      expect(await redisAnswersPing('127.0.0.1', redis.port)).toBe(false);

      await redis.start();
      expect(await redisAnswersPing('127.0.0.1', redis.port)).toBe(true);
      const client = createClient({ url: redis.url });
      await client.connect();
      try {
        expect(await client.get('kept')).toBe('across restarts');
      } finally {
        client.destroy();
      }
    } finally {
      await redis.stop();
    }
  });

  it('treats a second stop or start as a no-op', async () => {
    const redis = await startLocalRedis();
    await redis.start();
    expect(await redisAnswersPing('127.0.0.1', redis.port)).toBe(true);
    await redis.stop();
    await redis.stop();
    expect(await redisAnswersPing('127.0.0.1', redis.port)).toBe(false);
  });
});
