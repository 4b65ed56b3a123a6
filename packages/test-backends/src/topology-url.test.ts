import { describe, expect, it } from 'vitest';
import { clusterUrl, parseTopologyUrl, sentinelUrl } from './topology-url.js';

const a = { host: '127.0.0.1', port: 7001 };
const b = { host: '127.0.0.1', port: 7002 };

describe('topology URLs', () => {
  it('lists the addresses, with the rediss- form for TLS and the master name as the fragment', () => {
    expect(clusterUrl([a, b], false)).toBe('redis-cluster://127.0.0.1:7001,127.0.0.1:7002');
    expect(clusterUrl([a], true)).toBe('rediss-cluster://127.0.0.1:7001');
    expect(sentinelUrl([a, b], 'mymaster', false)).toBe(
      'redis-sentinel://127.0.0.1:7001,127.0.0.1:7002#mymaster',
    );
    expect(sentinelUrl([{ host: '::1', port: 26379 }], 'm', true)).toBe('rediss-sentinel://[::1]:26379#m');
  });

  it('reads back what it writes', () => {
    expect(parseTopologyUrl(clusterUrl([a, b], true), 'cluster')).toEqual({
      tls: true,
      addresses: [a, b],
      masterName: '',
    });
    expect(
      parseTopologyUrl(sentinelUrl([a, { host: '::1', port: 1 }], 'mymaster', false), 'sentinel'),
    ).toEqual({
      tls: false,
      addresses: [a, { host: '::1', port: 1 }],
      masterName: 'mymaster',
    });
  });

  it('skips credentials and the db, and takes the default port when none is given', () => {
    expect(parseTopologyUrl('redis-sentinel://user:p%40ss@s1,s2:26380/2#main', 'sentinel')).toEqual({
      tls: false,
      addresses: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26380 },
      ],
      masterName: 'main',
    });
  });

  it('says what is wrong without quoting the URL (it may hold a password)', () => {
    const refused = (url: string, kind: 'cluster' | 'sentinel') => {
      try {
        parseTopologyUrl(url, kind);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(refused('redis://:secret@h:1', 'cluster')).toBe('expected redis-cluster:// or rediss-cluster://');
    expect(refused('redis-sentinel://:secret@h:1', 'sentinel')).toBe('the master name is missing (#name)');
    expect(refused('redis-cluster://:secret@h:99999', 'cluster')).toBe('"h:99999" is not a host[:port]');
    expect(refused('redis-cluster://:secret@', 'cluster')).toBe('no host');
  });
});
