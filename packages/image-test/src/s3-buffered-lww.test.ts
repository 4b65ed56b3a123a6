// An S3 image in a pod, against the run's S3 server (RadosGW here; TEST_S3_* under ./scripts/test).
import { fileURLToPath } from 'node:url';
import { variant } from '@state-proxy/connector-s3-buffered-lww/variant';
import { freshBucket, s3Env, uniquePrefix } from '@state-proxy/s3-connector/testing';
import { beforeAll } from 'vitest';
import { describePod } from './describe-pod.js';
import { bakeArgs } from './image.js';

let bucket: string | undefined;
beforeAll(async () => {
  bucket = await freshBucket('pod');
});

describePod({
  declaration: variant,
  bundle: fileURLToPath(new URL('../../connector-s3-buffered-lww/dist/main.cjs', import.meta.url)),
  buildArgs: () => bakeArgs('s3-buffered-lww'),
  backendEnv: () => {
    if (!bucket) throw new Error('no bucket (see the first failure)');
    return { ...s3Env(bucket), STATE_PREFIX: uniquePrefix('pod') };
  },
});
