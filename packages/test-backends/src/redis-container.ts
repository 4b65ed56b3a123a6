// Redis through testcontainers, for machines with a Docker engine. The image is pinned so every
// run tests against the same server.
import type { RedisBackend } from './types.js';

const REDIS_IMAGE = 'redis:7.4-alpine';

export async function startRedisContainer(): Promise<RedisBackend> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(REDIS_IMAGE)
    .withExposedPorts(6379)
    .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'))
    .start();
  return {
    url: `redis://${container.getHost()}:${container.getMappedPort(6379)}`,
    async stop() {
      await container.stop();
    },
  };
}
