/**
 * HTTP over node:http, for tests that need what fetch hides: the body exactly as the
 * socket delivered it (one chunk per read, still compressed), and paths sent as written
 * (fetch normalizes "/a/../b" and "%2e%2e" away before sending).
 */
import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The body as the socket delivered it, one entry per read. */
  chunks: Buffer[];
}

export class RequestTimeout extends Error {}

export interface RawRequest {
  method?: string;
  /** Sent as written, overriding the URL's path. */
  path?: string;
  headers?: Record<string, string | number>;
  body?: string;
  /** Destroys the request with a RequestTimeout after this long. */
  timeoutMs?: number;
}

export function rawRequest(url: string, options: RawRequest = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        ...(options.path === undefined ? {} : { path: options.path })
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            chunks
          })
        );
        res.on('error', reject);
      }
    );
    if (options.timeoutMs !== undefined) {
      const timer = setTimeout(() => req.destroy(new RequestTimeout()), options.timeoutMs);
      req.on('close', () => clearTimeout(timer));
    }
    req.on('error', reject);
    req.end(options.body);
  });
}
