/**
 * Why a download could not start or went on failing, by cause, so the models page can say
 * what to do about it. The browser reports an offline device, an unknown host, a server
 * that is down and a mirror without CORS headers all as the same "TypeError: Failed to
 * fetch"; a second, opaque request tells "the host answered" apart from "nothing answered".
 * The wording lives in the i18n catalogs (models.errors.<kind>); `error` here is a short
 * English description for logs and as a fallback.
 */
import type { FailureInfo } from './errors';

export type DownloadFailure =
  | { kind: 'offline'; host: string }
  /** Name not found, connection refused, or no answer in time. */
  | { kind: 'unreachable'; host: string }
  /** The request failed though the host answers (a dropped connection, a same-origin hiccup). */
  | { kind: 'network'; host: string }
  /** The host answered, but without the CORS headers that let this page read the file. */
  | { kind: 'cors'; host: string; origin: string }
  /** An http:// file from an https:// page: the browser blocks it before any request. */
  | { kind: 'mixedContent'; url: string }
  | { kind: 'notFound'; url: string; status: number }
  | { kind: 'denied'; url: string; status: number }
  | { kind: 'http'; url: string; status: number; statusText: string };

export type FailureKind = DownloadFailure['kind'];

/** What the classifier may look at; the defaults read the browser's own globals. */
export interface ProbeEnv {
  fetch: typeof fetch;
  /** navigator.onLine, read when asked; undefined (no navigator) counts as online. */
  online?: () => boolean | undefined;
  /** location.origin of the page, to name it in the CORS advice. */
  pageOrigin?: string;
  /** How long the reachability probe may take before the host counts as unreachable. */
  probeTimeoutMs?: number;
}

const PROBE_TIMEOUT_MS = 10_000;
/** COEP reports are delivered asynchronously, shortly after the blocked response. */
const REPORT_WAIT_MS = 500;

export function browserProbeEnv(doFetch: typeof fetch): ProbeEnv {
  const nav = globalThis.navigator as Navigator | undefined;
  return {
    fetch: doFetch,
    online: () => (typeof nav?.onLine === 'boolean' ? nav.onLine : undefined),
    pageOrigin: globalThis.location?.origin
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

export function classifyStatus(url: string, status: number, statusText = ''): DownloadFailure {
  if (status === 404 || status === 410) return { kind: 'notFound', url, status };
  if (status === 401 || status === 403) return { kind: 'denied', url, status };
  return { kind: 'http', url, status, statusText };
}

/**
 * Classifies a fetch that threw (not one that was aborted). Offline needs no request; an
 * https page asking for http is refused by the browser itself; otherwise an opaque request
 * tells whether the host is there at all.
 */
export async function classifyFetchError(url: string, env: ProbeEnv): Promise<DownloadFailure> {
  const host = hostOf(url);
  if (env.online?.() === false) return { kind: 'offline', host };
  if (env.pageOrigin?.startsWith('https:') && url.startsWith('http:')) {
    return { kind: 'mixedContent', url };
  }
  if (await hostAnswers(url, env)) {
    // CORS never applies to the page's own origin (a portal's weights): that was transient.
    if (env.pageOrigin && originOf(url) === env.pageOrigin) return { kind: 'network', host };
    return { kind: 'cors', host, origin: env.pageOrigin ?? '*' };
  }
  // The probe may have failed because the device went offline meanwhile.
  if (env.online?.() === false) {
    return { kind: 'offline', host };
  }
  return { kind: 'unreachable', host };
}

/**
 * A no-cors HEAD needs no CORS headers, so it succeeds whenever the host answers at all.
 * Under cross-origin isolation (COEP require-corp) the browser still blocks that answer
 * unless it carries Cross-Origin-Resource-Policy — but it files a "coep" report naming the
 * URL, and a report means a response did arrive.
 */
async function hostAnswers(url: string, env: ProbeEnv): Promise<boolean> {
  const watcher = watchCorpReports();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), env.probeTimeoutMs ?? PROBE_TIMEOUT_MS);
  try {
    await env.fetch(url, {
      method: 'HEAD',
      mode: 'no-cors',
      cache: 'no-store',
      signal: controller.signal
    });
    return true;
  } catch {
    return controller.signal.aborted ? false : await watcher.sawBlocked(url);
  } finally {
    clearTimeout(timer);
    watcher.stop();
  }
}

interface CorpWatcher {
  sawBlocked(url: string): Promise<boolean>;
  stop(): void;
}

interface CorpReportBody {
  type?: string;
  blockedURL?: string;
}

function watchCorpReports(): CorpWatcher {
  const Observer = (globalThis as { ReportingObserver?: typeof ReportingObserver })
    .ReportingObserver;
  if (!Observer || !globalThis.crossOriginIsolated) {
    return { sawBlocked: async () => false, stop: () => {} };
  }
  const blocked: string[] = [];
  const collect = (reports: Report[]) => {
    for (const r of reports) {
      const body = (r.body as { toJSON?: () => CorpReportBody } | null)?.toJSON?.();
      if (body?.type === 'corp' && body.blockedURL) blocked.push(body.blockedURL);
    }
  };
  // Not buffered: an old report for this URL says nothing about whether the host is up now.
  const observer = new Observer((reports) => collect(reports), { types: ['coep'] });
  observer.observe();
  const sameOrigin = (a: string, b: string) => (originOf(a) ?? a) === (originOf(b) ?? b);
  return {
    async sawBlocked(url) {
      const until = Date.now() + REPORT_WAIT_MS;
      for (;;) {
        collect(observer.takeRecords());
        if (blocked.some((b) => sameOrigin(b, url))) return true;
        if (Date.now() >= until) return false;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    stop: () => observer.disconnect()
  };
}

/** The stored form: key models.errors.<kind>, its values, and an English description. */
export function failureInfo(f: DownloadFailure): FailureInfo {
  switch (f.kind) {
    case 'offline':
      return info(f.kind, `offline: cannot fetch from ${f.host}`, { host: f.host });
    case 'unreachable':
      return info(f.kind, `cannot reach ${f.host} (name not found or server down)`, {
        host: f.host
      });
    case 'network':
      return info(f.kind, `the connection to ${f.host} failed`, { host: f.host });
    case 'cors':
      return info(f.kind, `${f.host} answered without CORS headers for ${f.origin}`, {
        host: f.host,
        origin: f.origin
      });
    case 'mixedContent':
      return info(f.kind, `an https page cannot download ${f.url} over plain http`, {
        url: f.url
      });
    case 'notFound':
      return info(f.kind, `not found (${f.status}) at ${f.url}`, { url: f.url, status: f.status });
    case 'denied':
      return info(f.kind, `the server refused access (${f.status}) to ${f.url}`, {
        url: f.url,
        status: f.status
      });
    case 'http': {
      const status = `${f.status}${f.statusText ? ` ${f.statusText}` : ''}`;
      return info(f.kind, `the server answered ${status} for ${f.url}`, { url: f.url, status });
    }
  }
}

function info(errorKey: FailureKind, error: string, errorParams: FailureInfo['errorParams']) {
  return { errorKey, error, errorParams };
}
