/**
 * Which requests need what, decided from method and path alone, before routing: one
 * table instead of checks scattered through handlers, and unknown /api, /v1, /v2 paths
 * fall under "user" so they answer 401 rather than reveal what exists.
 */
export type Access = 'public' | 'user' | 'admin';

export interface RoutePolicy {
  access: Access;
  /** /api/auth/* and /api/admin/*: identify the caller even while sign-in is off. */
  accountRoute: boolean;
  /** Model-management action to audit (admin-only routes), e.g. "model.create". */
  auditAction?: string;
}

const API_AREAS = ['/api', '/v1', '/v2'];
const PUBLIC_AUTH_ROUTES = new Set([
  'GET /api/auth/session',
  'HEAD /api/auth/session',
  'POST /api/auth/setup',
  'POST /api/auth/login',
  'POST /api/auth/logout'
]);
/**
 * Health probes a load balancer or monitoring system calls without credentials, and the
 * widget's status probe (it names a key by its public prefix only).
 */
const PUBLIC_PROBES = new Set(['/api/version', '/api/ready', '/api/widget/status']);
const ADMIN_MODEL_ROUTES: Record<string, string> = {
  '/api/create': 'model.create',
  '/api/copy': 'model.copy',
  '/api/delete': 'model.delete',
  '/api/pull': 'model.pull',
  '/api/push': 'model.push'
};

/**
 * The path as routing would see it, made canonical so "/API//admin/", "/api/%61dmin"
 * and "/api/admin" all get the same (strictest) answer.
 */
export function canonicalPath(url: string): string {
  let path = url.split('?')[0].split('#')[0];
  try {
    path = decodeURIComponent(path);
  } catch {
    // Malformed escapes: judge the raw text; routing will 404 it anyway.
  }
  path = path.toLowerCase().replace(/\/{2,}/g, '/');
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return path;
}

function under(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

export function routePolicy(method: string, url: string): RoutePolicy {
  const path = canonicalPath(url);
  const verb = method.toUpperCase();
  const accountRoute = under(path, '/api/auth') || under(path, '/api/admin');
  if (!API_AREAS.some((area) => under(path, area))) return { access: 'public', accountRoute };
  if ((verb === 'GET' || verb === 'HEAD') && PUBLIC_PROBES.has(path))
    return { access: 'public', accountRoute };
  if (PUBLIC_AUTH_ROUTES.has(`${verb} ${path}`)) return { access: 'public', accountRoute };
  if (under(path, '/api/admin') || under(path, '/api/status'))
    return { access: 'admin', accountRoute };
  if (under(path, '/api/blobs')) return { access: 'admin', accountRoute };
  if (path in ADMIN_MODEL_ROUTES)
    return { access: 'admin', accountRoute, auditAction: ADMIN_MODEL_ROUTES[path] };
  return { access: 'user', accountRoute };
}
