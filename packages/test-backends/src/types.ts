/** A Redis server for tests: where to reach it, and how to release it. */
export interface RedisBackend {
  url: string;
  /** Stops only what this harness started; a no-op for a server given through the environment. */
  stop(): Promise<void>;
}

/** Which server's behaviour applies (docs/s3-compatibility.md): RadosGW, MinIO, or a server we did not start. */
export type S3Kind = 'rgw' | 'minio' | 'external';

/** An S3-compatible server for tests: endpoint, credentials, and how to release it. */
export interface S3Backend {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  kind: S3Kind;
  /** Stops only what this harness started; a no-op for a server given through the environment. */
  stop(): Promise<void>;
}
