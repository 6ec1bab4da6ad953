/**
 * One Hearth server for the browser tests (sign-in off, as on a personal machine), serving
 * the freshly built app. Portal tests start their own server with sign-in on.
 */
import { startHearth } from './fixtures/hearth-server';

export default async function globalSetup() {
  const server = await startHearth();
  process.env.HEARTH_E2E_URL = server.url;
  return () => server.stop();
}
