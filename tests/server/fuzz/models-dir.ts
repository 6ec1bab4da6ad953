/**
 * Watches the models folder: a read-only route must leave it byte-for-byte as it was
 * (same files, same sizes), and a route that writes models may only write Ollama's
 * layout, never a file that a crafted name steered elsewhere. Watching the parent too
 * catches a traversal that escapes the folder altogether.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

export type Snapshot = Map<string, number>;

async function walk(root: string, dir: string, out: Snapshot): Promise<void> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    const rel = path.relative(root, full);
    if (entry.isDirectory()) {
      out.set(`${rel}/`, 0);
      await walk(root, full, out);
    } else {
      const stat = await fs.lstat(full).catch(() => undefined);
      out.set(rel, stat?.size ?? -1);
    }
  }
}

/** Every file and folder under `root` (relative path → size; folders end in "/"). */
export async function snapshot(root: string): Promise<Snapshot> {
  const out: Snapshot = new Map();
  await walk(root, root, out);
  return out;
}

/** A readable list of what differs, or [] when nothing does. */
export function diff(before: Snapshot, after: Snapshot): string[] {
  const changes: string[] = [];
  for (const [file, size] of after) {
    if (!before.has(file)) changes.push(`added ${file} (${size} bytes)`);
    else if (before.get(file) !== size)
      changes.push(`resized ${file}: ${before.get(file)} → ${size}`);
  }
  for (const file of before.keys()) if (!after.has(file)) changes.push(`removed ${file}`);
  return changes;
}

const PART = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}$/;
const HOST = /^[A-Za-z0-9_.:-]{1,253}$/;
const BLOB = /^sha256-[0-9a-f]{64}(-partial|-tmp-\d+-[0-9a-f]{12})?$/;

/**
 * Files a model-writing route may leave, for a snapshot of the folder that holds the
 * models folder `models`: models/manifests/<host>/<namespace>/<model>/<tag> (no "." or
 * ".." segments) and models/blobs/sha256-<hex> with its partial/temp forms.
 */
export function layoutViolations(files: Snapshot, models = 'models'): string[] {
  const bad: string[] = [];
  for (const file of files.keys()) {
    if (file === `${models}/`) continue;
    const all = file.replace(/\/$/, '').split('/');
    const parts = all[0] === models ? all.slice(1) : ['(outside)', ...all];
    const isDir = file.endsWith('/');
    const dotSegment = parts.some((p) => p === '.' || p === '..');
    if (parts[0] === 'manifests' && !dotSegment && parts.length <= 5) {
      const [, host, namespace, model, tag] = parts;
      const ok =
        (host === undefined || HOST.test(host)) &&
        (namespace === undefined || PART.test(namespace)) &&
        (model === undefined || PART.test(model)) &&
        (tag === undefined || PART.test(tag) || /^.+-tmp-\d+-[0-9a-f]{12}$/.test(tag));
      if (ok && (isDir || parts.length === 5)) continue;
    }
    if (parts[0] === 'blobs' && (parts.length === 1 || (parts.length === 2 && BLOB.test(parts[1]))))
      continue;
    bad.push(file);
  }
  return bad;
}
