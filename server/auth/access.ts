/**
 * Model access, decided in one place: may this request use (or download) that model?
 * Admins and servers with sign-in off may do everything; other users need a grant whose
 * pattern matches the model's name, on their account or one of their groups.
 *
 * A refusal depends only on the name and the grants, never on whether the model exists,
 * so a user cannot probe for models they may not see: every ungranted name, real or
 * not, answers the same 403 "access to model 'x' denied". (A granted name that does not
 * exist still answers Ollama's 404, which tells the user nothing new.)
 */
import type { FastifyRequest } from 'fastify';
import { ForbiddenError, NotFoundError } from '../domain-errors';
import { tryParseModelName, type ModelName } from '#protocol/ollama/names';
import type { ModelManager } from '../store/model-store';
import { grantAllows, type ModelRight } from '#protocol/portal/grants';
import type { Principal } from './principal';

export interface AccessControl {
  /** Sign-in is on (monitoring and the portal read this too). */
  readonly enabled: boolean;
  canUse(req: FastifyRequest, model: string): boolean;
  /** Throws 403 "access to model 'x' denied". */
  assertCanUse(req: FastifyRequest, model: string): void;
  canDownload(req: FastifyRequest, model: string): boolean;
  assertCanDownload(req: FastifyRequest, model: string): void;
  /** Keeps only the items naming models the caller may use (for /api/tags, /api/ps, /v1/models). */
  filterUsable<T>(req: FastifyRequest, items: T[], nameOf: (item: T) => string): T[];
  /** A /v2 blob: only one listed in a manifest of the repository that the caller may download. */
  assertCanDownloadBlob(
    req: FastifyRequest,
    store: ModelManager,
    repository: Pick<ModelName, 'namespace' | 'model'>,
    digest: string
  ): Promise<void>;
}

export const denied = (model: string) =>
  new ForbiddenError(`access to model '${model}' denied`, {
    code: 'model_denied',
    params: { model }
  });

function granted(principal: Principal, model: string, right: ModelRight): boolean {
  if (principal.user.role === 'admin') return true;
  return principal.grants.some((g) => grantAllows(g, right, model));
}

function manifestDigests(bytes: Buffer): string[] {
  try {
    const manifest = JSON.parse(bytes.toString('utf8')) as {
      config?: { digest?: string };
      layers?: { digest?: string }[];
    };
    return [manifest.config?.digest, ...(manifest.layers ?? []).map((l) => l.digest)].filter(
      (d): d is string => typeof d === 'string'
    );
  } catch {
    return [];
  }
}

export function createAccessControl(authEnabled: boolean): AccessControl {
  const allows = (req: FastifyRequest, model: string, right: ModelRight) => {
    if (!authEnabled) return true;
    return req.principal !== null && granted(req.principal, model, right);
  };
  return {
    enabled: authEnabled,
    canUse: (req, model) => allows(req, model, 'canUse'),
    assertCanUse(req, model) {
      if (!allows(req, model, 'canUse')) throw denied(model);
    },
    canDownload: (req, model) => allows(req, model, 'canDownload'),
    assertCanDownload(req, model) {
      if (!allows(req, model, 'canDownload')) throw denied(model);
    },
    filterUsable(req, items, nameOf) {
      return items.filter((item) => allows(req, nameOf(item), 'canUse'));
    },
    async assertCanDownloadBlob(req, store, repository, digest) {
      if (!authEnabled || req.principal?.user.role === 'admin') return;
      const repoName = `${repository.namespace}/${repository.model}`;
      const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
      const tags = (await store.list()).flatMap((m) => {
        const name = tryParseModelName(m.name);
        return name &&
          same(name.namespace, repository.namespace) &&
          same(name.model, repository.model) &&
          allows(req, m.name, 'canDownload')
          ? [name]
          : [];
      });
      if (tags.length === 0) throw denied(repoName);
      for (const name of tags) {
        const bytes = await store.registryManifest(name);
        if (bytes && manifestDigests(bytes).includes(digest)) return;
      }
      throw new NotFoundError(`blob ${digest} not found in ${repoName}`);
    }
  };
}

/** Sign-in off (and route tests built without the auth layer): everyone may do everything. */
export const OPEN_ACCESS = createAccessControl(false);

export function accessOf(ctx: { access?: AccessControl }): AccessControl {
  return ctx.access ?? OPEN_ACCESS;
}
