import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { captureTarget, operationOf, routeShapeOf, targetOf } from './target.js';

describe('captureTarget', () => {
  it('splits the query off at the first ?, names the operation, routes req.url by shape', () => {
    const req = { method: 'PUT', url: '/keys/a%2Fb?b?c' } as IncomingMessage;
    const target = captureTarget(req);
    expect(target).toEqual({ raw: '/keys/a%2Fb?b?c', path: '/keys/a%2Fb', query: 'b?c', operation: 'write' });
    expect(req.url).toBe('/keys/_');
    expect(targetOf(req)).toBe(target);
    expect(captureTarget({ method: 'GET', url: '/keys/a' } as IncomingMessage)).toMatchObject({
      path: '/keys/a',
      query: '',
      operation: 'read',
    });
  });
});

describe('routeShapeOf', () => {
  it.each([
    ['/keys', '/keys/'],
    ['/keys/', '/keys/'],
    ['/keys?prefix=a', '/keys/'],
    ['/keys/?prefix=a/', '/keys/'],
    ['/keys/a/b.json', '/keys/_'],
    ['/keys/../metrics', '/keys/_'],
    ['/keys/a\\b#c', '/keys/_'],
    ['/meta/a?attr=ttl', '/meta/_'],
    ['/meta/', '/meta/_'],
    ['/healthz', '/healthz'],
    ['/metrics?x', '/metrics'],
    ['/a/../metrics', '/_'],
    ['/keysx', '/keysx'],
  ])('%s routes as %s', (target, shape) => {
    expect(routeShapeOf(target)).toBe(shape);
  });
});

describe('operationOf', () => {
  it('names each protocol operation', () => {
    expect(operationOf('GET', '/keys/_')).toBe('read');
    expect(operationOf('PUT', '/keys/_')).toBe('write');
    expect(operationOf('HEAD', '/keys/_')).toBe('stat');
    expect(operationOf('DELETE', '/keys/_')).toBe('delete');
    expect(operationOf('GET', '/keys/')).toBe('list');
    expect(operationOf('PUT', '/meta/_')).toBe('set_attribute');
    expect(operationOf('GET', '/readyz')).toBe('readyz');
    expect(operationOf('POST', '/keys/_')).toBe('other');
  });
});
