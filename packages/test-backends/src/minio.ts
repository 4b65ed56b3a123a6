// MinIO through testcontainers, for machines with a Docker engine. The image is pinned so every run
// tests against the same server.
import type { S3Backend } from './types.js';

const MINIO_IMAGE = 'minio/minio:RELEASE.2024-12-13T22-19-12Z';
const MINIO_USER = 'test-backends';
const MINIO_PASSWORD = 'test-backends-secret';

export async function startMinioContainer(): Promise<S3Backend> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(MINIO_IMAGE)
    .withEnvironment({ MINIO_ROOT_USER: MINIO_USER, MINIO_ROOT_PASSWORD: MINIO_PASSWORD })
    .withCommand(['server', '/data'])
    .withExposedPorts(9000)
    .withWaitStrategy(Wait.forHttp('/minio/health/ready', 9000).forStatusCode(200))
    .start();
  return {
    endpoint: `http://${container.getHost()}:${container.getMappedPort(9000)}`,
    region: 'us-east-1',
    accessKeyId: MINIO_USER,
    secretAccessKey: MINIO_PASSWORD,
    kind: 'minio',
    async stop() {
      await container.stop();
    },
  };
}
