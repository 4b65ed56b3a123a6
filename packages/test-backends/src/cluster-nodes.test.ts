import { describe, expect, it } from 'vitest';
import { parseClusterNodes, slotOwner } from './cluster-nodes.js';

// As Redis 7.0 answers CLUSTER NODES after a failover: 7001 died, its replica 7004 took over.
const REPLY = [
  'aaa 127.0.0.1:7001@17001 master,fail - 1700000000000 1700000000000 1 disconnected',
  'bbb 127.0.0.1:7002@17002 myself,master - 0 0 2 connected 5461-10922',
  'ccc 127.0.0.1:7003@17003,node-c master - 0 1700000000000 3 connected 10923-16383 [42->-bbb]',
  'ddd 127.0.0.1:7004@17004 master - 0 1700000000000 7 connected 0-5460',
  'eee 127.0.0.1:7005@17005 slave bbb 0 1700000000000 2 connected',
  'fff 127.0.0.1:7006@17006 slave,fail? ccc 0 1700000000000 3 connected',
  '',
].join('\n');

describe('parseClusterNodes', () => {
  it('reads id, address, role, master, served slots and failure flags', () => {
    const nodes = parseClusterNodes(REPLY);
    expect(nodes.map((node) => [node.id, node.port, node.role, node.failing])).toEqual([
      ['aaa', 7001, 'master', true],
      ['bbb', 7002, 'master', false],
      ['ccc', 7003, 'master', false],
      ['ddd', 7004, 'master', false],
      ['eee', 7005, 'replica', false],
      ['fff', 7006, 'replica', true],
    ]);
    expect(nodes[2]).toMatchObject({ host: '127.0.0.1', slots: [[10923, 16383]] });
    expect(nodes[4]).toMatchObject({ masterId: 'bbb', slots: [] });
    expect(nodes[1]!.masterId).toBeUndefined();
  });

  it('finds the master serving a slot', () => {
    const nodes = parseClusterNodes(REPLY);
    expect(slotOwner(nodes, 0)?.id).toBe('ddd');
    expect(slotOwner(nodes, 10922)?.id).toBe('bbb');
    expect(slotOwner(nodes, 16383)?.id).toBe('ccc');
    expect(slotOwner(nodes.slice(0, 3), 100)).toBeUndefined();
  });

  it('refuses a line that is not one', () => {
    expect(() => parseClusterNodes('ERR This instance has cluster support disabled')).toThrow(
      /not a CLUSTER NODES line/,
    );
  });
});
