/**
 * The account and admin pages show names people typed (usernames, display names, group
 * names, model names, audit details). They must reach the page as text, which Svelte's
 * {expression} guarantees; {@html} or innerHTML would turn a display name into markup.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../src');
const folders = [
  'routes/login',
  'routes/setup',
  'routes/account',
  'routes/admin',
  'lib/components/admin',
  'lib/components/account'
];

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? files(full) : /\.(svelte|ts)$/.test(entry.name) ? [full] : [];
  });
}

describe('account and admin pages render user text as text', () => {
  const sources = folders.flatMap((folder) => files(path.join(root, folder)));

  it('finds the pages it checks', () => {
    expect(sources.length).toBeGreaterThan(20);
  });

  it.each(['{@html', 'innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write'])(
    'no file uses %s',
    (needle) => {
      const offenders = sources.filter((file) => fs.readFileSync(file, 'utf8').includes(needle));
      expect(offenders.map((f) => path.relative(root, f))).toEqual([]);
    }
  );
});
