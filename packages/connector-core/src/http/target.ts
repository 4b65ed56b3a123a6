/**
 * The raw request target. The runtime sends keys raw in the path, and URL parsing would rewrite
 * them (`a/../b` becomes `b`, `#` starts a fragment, a backslash is refused), so keys are always
 * parsed from the target exactly as received, and hono routes on its shape only.
 */
import type { IncomingMessage } from 'node:http';
import type { Operation } from '../metrics.js';

/** A request's target, parsed once when it arrives; what every route and log line reads. */
export interface RequestTarget {
  /** Exactly as received. */
  raw: string;
  /** Before the first `?`, still percent-encoded. */
  path: string;
  /** After the first `?`, without it. */
  query: string;
  /** The operation for metrics and logs (operationOf). */
  operation: Operation;
}

/** Where a request keeps its parsed target: a property of its own, cheaper than a WeakMap entry. */
const TARGET = Symbol('requestTarget');
type WithTarget = IncomingMessage & { [TARGET]?: RequestTarget };

/** Parses and remembers the target, and rewrites `req.url` to the route it has (see routeShapeOf). */
export function captureTarget(req: IncomingMessage): RequestTarget {
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const path = q === -1 ? raw : raw.slice(0, q);
  const shape = shapeOfPath(path);
  const target: RequestTarget = {
    raw,
    path,
    query: q === -1 ? '' : raw.slice(q + 1),
    operation: operationOf(req.method ?? 'GET', shape),
  };
  (req as WithTarget)[TARGET] = target;
  req.url = shape;
  return target;
}

/** The target captureTarget parsed for this request. */
export function targetOf(req: IncomingMessage): RequestTarget {
  return (req as WithTarget)[TARGET] ?? captureTarget(req);
}

/**
 * `/keys` and `/keys/` (listing, mount root) → `/keys/`; `/keys/<anything>` → `/keys/_`;
 * `/meta/<anything>` → `/meta/_`; other simple paths stay; anything else → `/_` (404).
 */
export function routeShapeOf(target: string): string {
  const q = target.indexOf('?');
  return shapeOfPath(q === -1 ? target : target.slice(0, q));
}

function shapeOfPath(path: string): string {
  if (path === '/keys' || path === '/keys/') return '/keys/';
  if (path.startsWith('/keys/')) return '/keys/_';
  if (path === '/meta' || path.startsWith('/meta/')) return '/meta/_';
  return /^\/[A-Za-z0-9_-]*$/.test(path) ? path : '/_';
}

const KEY_OPERATIONS = new Map<string, Operation>([
  ['GET', 'read'],
  ['PUT', 'write'],
  ['HEAD', 'stat'],
  ['DELETE', 'delete'],
]);

/** The operation a request performs, for metrics and logs. */
export function operationOf(method: string, routeShape: string): Operation {
  switch (routeShape) {
    case '/keys/':
      return method === 'HEAD' ? 'stat' : 'list';
    case '/keys/_':
      return KEY_OPERATIONS.get(method) ?? 'other';
    case '/meta/_':
      return method === 'PUT' ? 'set_attribute' : 'get_attribute';
    case '/healthz':
      return 'healthz';
    case '/readyz':
      return 'readyz';
    case '/metrics':
      return 'metrics';
    default:
      return 'other';
  }
}
