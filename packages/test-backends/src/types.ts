/** A Redis server for tests: where to reach it, and how to release it. */
export interface RedisBackend {
  url: string;
  /** Stops only what this harness started; a no-op for a server given through the environment. */
  stop(): Promise<void>;
}

/** Where one Redis server or sentinel listens. */
export interface RedisAddress {
  host: string;
  port: number;
}

/** A Redis Cluster for tests: its URL for the connector, its seed nodes for a client, and how to release it. */
export interface RedisClusterBackend {
  /** `redis-cluster://h1:p1,h2:p2,...` (`rediss-cluster://` over TLS). */
  url: string;
  seeds: RedisAddress[];
  /** Stops only what this harness started; a no-op for a cluster given through the environment. */
  stop(): Promise<void>;
}

/** A Redis Sentinel set for tests: its URL for the connector, its sentinels and master name for a client. */
export interface RedisSentinelBackend {
  /** `redis-sentinel://h1:p1,h2:p2,...#name` (`rediss-sentinel://` over TLS). */
  url: string;
  sentinels: RedisAddress[];
  masterName: string;
  /** Stops only what this harness started; a no-op for sentinels given through the environment. */
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
