/**
 * Browser-store tests run against fake-indexeddb. Each test gets a database of its own
 * (by name), so rows never leak between tests or between files running in parallel.
 */
import 'fake-indexeddb/auto';
import { HearthDB } from '../../../src/lib/store/db';

let opened = 0;

export function freshDatabase(label: string): HearthDB {
  return new HearthDB(`${label}-${process.pid}-${++opened}`);
}
