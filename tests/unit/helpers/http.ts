/**
 * A bare node:http server on a free loopback port, for tests that check what the app
 * sends and how it copes with what comes back at the HTTP boundary.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalServer {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:41234 */
  url: string;
  close(): Promise<void>;
}

export async function listenLocal(handler: http.RequestListener): Promise<LocalServer> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // Keep-alive sockets would hold close() open until they time out.
        server.closeAllConnections();
        server.close(() => resolve());
      })
  };
}
