/**
 * Which browser origins may call the API, with Ollama's rules: every port of localhost,
 * 127.0.0.1 and 0.0.0.0 over http and https, desktop/editor webviews (app://, file://,
 * tauri://, vscode-webview://, vscode-file://), plus OLLAMA_ORIGINS entries, where `*`
 * matches any run of characters. A web page elsewhere on the internet is refused, so it
 * cannot drive a local model server through the visitor's browser.
 */
const LOCAL_HOSTS = ['localhost', '127.0.0.1', '0.0.0.0', '[::1]'];
const APP_SCHEMES = ['app', 'file', 'tauri', 'vscode-webview', 'vscode-file'];

export function defaultOrigins(): string[] {
  const local = LOCAL_HOSTS.flatMap((host) => [
    `http://${host}`,
    `https://${host}`,
    `http://${host}:*`,
    `https://${host}:*`
  ]);
  return [...local, ...APP_SCHEMES.map((scheme) => `${scheme}://*`)];
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${escaped}$`, 'i');
}

export type OriginCheck = (origin: string) => boolean;

/** Builds the matcher once; `extra` are the OLLAMA_ORIGINS entries (a lone `*` allows all). */
export function originMatcher(extra: string[]): OriginCheck {
  const patterns = [...extra, ...defaultOrigins()].map(globToRegExp);
  return (origin) => patterns.some((pattern) => pattern.test(origin));
}

/** The page was served by this very server (the Hearth app opened via a LAN address). */
export function isSameOrigin(origin: string, hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  try {
    return new URL(origin).host.toLowerCase() === hostHeader.toLowerCase();
  } catch {
    return false;
  }
}

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

/**
 * Host headers a loopback-bound server answers. Anything else means a DNS-rebinding
 * page is talking to us under a foreign name (Ollama refuses those too).
 */
export function isAllowedLocalHostHeader(
  hostHeader: string | undefined,
  machineName: string
): boolean {
  if (!hostHeader) return true;
  let hostname: string;
  try {
    hostname = new URL(`http://${hostHeader}`).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (isLoopbackHost(hostname) || hostname === '0.0.0.0') return true;
  if (hostname === machineName.toLowerCase()) return true;
  return ['.localhost', '.local', '.internal'].some((suffix) => hostname.endsWith(suffix));
}
