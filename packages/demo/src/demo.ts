/**
 * ./scripts/demo: starts the local backends (or uses TEST_REDIS_URL / TEST_S3_ENDPOINT), starts
 * the connectors, plays what a handler does through each socket, prints a report, cleans up.
 */
import { ConnectorClient, type SpawnedConnector } from '@state-proxy/connector-core/testing';
import { createBucket, redisBackend, s3Backend } from '@state-proxy/test-backends';
import { isStopping, stopOnSignals } from './cleanup.js';
import { type Backends, startConnector, VARIANTS } from './connectors.js';
import { counterScene, listingScene, streamingScene, ttlScene } from './scenes.js';

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  // On Ctrl-C the connectors are stopped here; the servers test-backends started, it stops itself.
  stopOnSignals(say);
  say('Starting backends (a local redis-server and Ceph RadosGW unless given in the environment)...');
  const redis = await redisBackend();
  const s3 = await s3Backend();
  const started: SpawnedConnector[] = [];
  try {
    const backends: Backends = { redis, s3, bucket: await createBucket(s3, 'demo') };
    say(`  redis: ${redis.url}\n  s3:    ${s3.endpoint} (${s3.kind}), bucket ${backends.bucket}\n`);

    say('1. A counter incremented by 8 concurrent workers, each through its own connector replica:');
    for (const variant of VARIANTS) say(`   ${await counterScene(variant, backends)}`);

    const redisConnector = await startConnector('redis-buffered-cas', backends, 'demo');
    started.push(redisConnector);
    const redisClient = new ConnectorClient(redisConnector.socketPath);
    say('\n2. A cache entry with a TTL (redis-buffered-cas):');
    for (const line of await ttlScene(redisClient)) say(`   ${line}`);
    redisClient.close();

    const s3Connector = await startConnector('s3-buffered-cas', backends, 'demo');
    started.push(s3Connector);
    const s3Client = new ConnectorClient(s3Connector.socketPath);
    say('\n3. A directory (s3-buffered-cas):');
    for (const line of await listingScene(s3Client)) say(`   ${line}`);
    s3Client.close();

    const passthrough = await startConnector('s3-passthrough', backends, 'demo');
    started.push(passthrough);
    say('\n4. A large file streamed through s3-passthrough:');
    for (const line of await streamingScene(passthrough)) say(`   ${line}`);
  } finally {
    await Promise.all(started.map((connector) => connector.stop()));
    await s3.stop();
    await redis.stop();
    say('\nStopped the connectors and the backends this demo started.');
  }
}

main().catch((error: unknown) => {
  if (isStopping()) return; // interrupted: the signal handler stops everything and exits
  process.stderr.write(`demo failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
