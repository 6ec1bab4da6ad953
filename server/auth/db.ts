/**
 * Hearth's embedded SQLite database (sql.js: SQLite compiled to wasm, since native
 * modules cannot be built on every machine Hearth runs on).
 *
 * sql.js keeps the whole database in memory and never touches the disk itself, so
 * durability is ours: every write transaction ends by exporting the full database and
 * replacing hearth.db atomically (write a temp file → fsync → rename → fsync the folder).
 * A crash leaves either the old file or the new one, never a torn one. The file is small
 * (accounts, keys, grants, audit), so a full export per write costs milliseconds; hot
 * paths (last-used stamps) are throttled by their callers to keep writes rare.
 *
 * More than one process may use the file (the server, and `hearth admin create` while it
 * runs): each transaction takes a lock file, reloads the database when the file changed
 * since we last read or wrote it, and only then runs. Reads reload the same way, so a
 * user the CLI created can sign in without a restart.
 */
import fs from 'node:fs';
import path from 'node:path';
import initSqlJs, { type Database, type SqlValue } from 'sql.js';
import { MIGRATIONS } from './schema';

export type Row = Record<string, SqlValue>;
export type Params = SqlValue[];

let sqlJs: ReturnType<typeof initSqlJs> | undefined;

/** The wasm module is loaded once per process and shared by every database. */
function loadSqlJs() {
  sqlJs ??= initSqlJs();
  return sqlJs;
}

interface FileStamp {
  ino: number;
  size: number;
  mtimeMs: number;
}

function stampOf(file: string): FileStamp | undefined {
  try {
    const stat = fs.statSync(file);
    return { ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs };
  } catch {
    return undefined;
  }
}

function sameStamp(a: FileStamp | undefined, b: FileStamp | undefined): boolean {
  return !!a && !!b && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

const LOCK_STALE_MS = 10_000;
const LOCK_WAIT_MS = 5_000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * A cross-process lock held only for the few milliseconds a transaction takes. It is
 * synchronous on purpose: a transaction never yields to the event loop, so no other
 * request can see it half done. A lock left by a crashed process is taken over.
 */
function withFileLock<T>(lockFile: string, fn: () => T): T {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let fd: number | undefined;
  while (fd === undefined) {
    try {
      fd = fs.openSync(lockFile, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (stampOf(lockFile)?.mtimeMs ?? Date.now());
      if (age > LOCK_STALE_MS) fs.rmSync(lockFile, { force: true });
      else if (Date.now() > deadline)
        throw new Error(`the database is locked by another process (${lockFile})`, {
          cause: error
        });
      else Atomics.wait(sleeper, 0, 0, 5);
    }
  }
  try {
    return fn();
  } finally {
    fs.closeSync(fd);
    fs.rmSync(lockFile, { force: true });
  }
}

export class HearthDatabase {
  private stamp: FileStamp | undefined;
  private inTransaction = false;

  private constructor(
    readonly file: string,
    private db: Database,
    private readonly SQL: Awaited<ReturnType<typeof initSqlJs>>
  ) {}

  /** Opens (or creates) the database file and brings its schema up to date. */
  static async open(file: string): Promise<HearthDatabase> {
    const SQL = await loadSqlJs();
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    let data: Buffer | undefined;
    try {
      data = fs.readFileSync(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    try {
      const db = new SQL.Database(data);
      db.exec('PRAGMA foreign_keys = ON');
      const database = new HearthDatabase(file, db, SQL);
      database.stamp = stampOf(file);
      database.migrate();
      return database;
    } catch (error) {
      // Never start over on an unreadable file: that would silently drop every account.
      throw new Error(`cannot open ${file}: ${(error as Error).message}`, { cause: error });
    }
  }

  get schemaVersion(): number {
    return Number(this.db.exec('PRAGMA user_version')[0]?.values[0]?.[0] ?? 0);
  }

  private migrate(): void {
    if (this.schemaVersion > MIGRATIONS.length)
      throw new Error(
        `${this.file} was written by a newer Hearth (schema ${this.schemaVersion}); upgrade Hearth`
      );
    if (this.schemaVersion === MIGRATIONS.length && this.stamp) return;
    this.transaction(() => {
      for (let v = this.schemaVersion; v < MIGRATIONS.length; v++) {
        this.db.exec(MIGRATIONS[v]);
        this.db.exec(`PRAGMA user_version = ${v + 1}`);
      }
    });
  }

  /** Picks up writes another process made since we last looked. */
  private reloadIfChanged(): void {
    const current = stampOf(this.file);
    if (!current || sameStamp(current, this.stamp)) return;
    const next = new this.SQL.Database(fs.readFileSync(this.file));
    next.exec('PRAGMA foreign_keys = ON');
    this.db.close();
    this.db = next;
    this.stamp = current;
  }

  all<T extends Row = Row>(sql: string, params: Params = []): T[] {
    if (!this.inTransaction) this.reloadIfChanged();
    const statement = this.db.prepare(sql);
    try {
      statement.bind(params);
      const rows: T[] = [];
      while (statement.step()) rows.push(statement.getAsObject() as T);
      return rows;
    } finally {
      statement.free();
    }
  }

  get<T extends Row = Row>(sql: string, params: Params = []): T | undefined {
    return this.all<T>(sql, params)[0];
  }

  /** Runs a write; only allowed inside transaction() so every write is persisted. */
  run(sql: string, params: Params = []): { changes: number; lastId: number } {
    if (!this.inTransaction) throw new Error('database writes must run inside transaction()');
    this.db.run(sql, params);
    const changes = this.db.getRowsModified();
    const lastId = Number(this.db.exec('SELECT last_insert_rowid()')[0]?.values[0]?.[0] ?? 0);
    return { changes, lastId };
  }

  /**
   * Runs fn atomically and persists the result before returning. fn must be synchronous:
   * nothing else may interleave with a transaction. A throw rolls everything back.
   */
  transaction<T>(fn: () => T): T {
    if (this.inTransaction) return fn();
    return withFileLock(`${this.file}.lock`, () => {
      this.reloadIfChanged();
      this.inTransaction = true;
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = fn();
        this.db.exec('COMMIT');
        this.persist();
        return result;
      } catch (error) {
        try {
          this.db.exec('ROLLBACK');
        } catch {
          // No transaction left to roll back: COMMIT succeeded and persist() failed.
        }
        // Either way the file is the truth: drop whatever memory holds beyond it.
        this.stamp = undefined;
        this.reloadIfChanged();
        throw error;
      } finally {
        this.inTransaction = false;
      }
    });
  }

  /** export → temp file → fsync → rename → fsync(dir): readers see old or new, never half. */
  private persist(): void {
    const bytes = this.db.export();
    const temp = `${this.file}.tmp-${process.pid}`;
    const fd = fs.openSync(temp, 'w', 0o600);
    try {
      fs.writeSync(fd, bytes);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.renameSync(temp, this.file);
    } catch (error) {
      fs.rmSync(temp, { force: true });
      throw error;
    }
    try {
      const dir = fs.openSync(path.dirname(this.file), 'r');
      try {
        fs.fsyncSync(dir);
      } finally {
        fs.closeSync(dir);
      }
    } catch {
      // Some filesystems refuse fsync on a directory; the rename itself is still atomic.
    }
    this.stamp = stampOf(this.file);
  }

  close(): void {
    this.db.close();
  }
}

/** A nullable integer column as a number or null. */
export function optionalNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** Where the database lives inside the data directory. */
export function databasePath(dataDir: string): string {
  return path.join(dataDir, 'hearth.db');
}
