/**
 * Accounts and groups in hearth.db. Methods are synchronous and each write is its own
 * persisted transaction (see db.ts); callers compose several in db.transaction().
 */
import { ConflictError, InvalidInputError, NotFoundError } from '../domain-errors';
import type { HearthDatabase, Row } from './db';
import { nameKey } from './names';

const usernameTaken = (username: string) =>
  new ConflictError(`user '${username}' already exists`, {
    code: 'username_taken',
    params: { username }
  });

export type Role = 'admin' | 'user';

export interface User {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  disabled: boolean;
  createdAt: number;
}

export interface Group {
  id: number;
  name: string;
  description: string;
  createdAt: number;
  memberIds: number[];
}

function toUser(row: Row): User {
  return {
    id: Number(row.id),
    username: String(row.username),
    displayName: String(row.display_name),
    role: row.role === 'admin' ? 'admin' : 'user',
    disabled: Number(row.disabled) === 1,
    createdAt: Number(row.created_at)
  };
}

const USER_COLUMNS = 'id, username, display_name, role, disabled, created_at';

export class Users {
  constructor(private readonly db: HearthDatabase) {}

  list(): User[] {
    return this.db.all(`SELECT ${USER_COLUMNS} FROM users ORDER BY id`).map(toUser);
  }

  byId(id: number): User | undefined {
    const row = this.db.get(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, [id]);
    return row && toUser(row);
  }

  byUsername(username: string): User | undefined {
    const row = this.db.get(`SELECT ${USER_COLUMNS} FROM users WHERE username_key = ?`, [
      nameKey(username)
    ]);
    return row && toUser(row);
  }

  passwordHash(id: number): string | undefined {
    const row = this.db.get('SELECT password_hash FROM users WHERE id = ?', [id]);
    return row ? String(row.password_hash) : undefined;
  }

  /** Enabled admins: the server must always keep at least one. */
  activeAdminCount(): number {
    const row = this.db.get(
      "SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled = 0"
    );
    return Number(row?.n ?? 0);
  }

  adminExists(): boolean {
    return Number(this.db.get("SELECT COUNT(*) AS n FROM users WHERE role = 'admin'")?.n ?? 0) > 0;
  }

  create(input: {
    username: string;
    displayName?: string;
    role: Role;
    passwordHash: string;
  }): User {
    return this.db.transaction(() => {
      if (this.byUsername(input.username)) throw usernameTaken(input.username);
      const { lastId } = this.db.run(
        `INSERT INTO users (username, username_key, display_name, role, password_hash, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
        [
          input.username,
          nameKey(input.username),
          input.displayName ?? '',
          input.role,
          input.passwordHash,
          Date.now()
        ]
      );
      return this.byId(lastId)!;
    });
  }

  update(
    id: number,
    changes: {
      username?: string;
      displayName?: string;
      role?: Role;
      disabled?: boolean;
      passwordHash?: string;
    }
  ): User {
    return this.db.transaction(() => {
      if (!this.byId(id)) throw new NotFoundError(`user ${id} not found`);
      if (changes.username !== undefined) {
        const other = this.byUsername(changes.username);
        if (other && other.id !== id) throw usernameTaken(changes.username);
        this.db.run('UPDATE users SET username = ?, username_key = ? WHERE id = ?', [
          changes.username,
          nameKey(changes.username),
          id
        ]);
      }
      if (changes.displayName !== undefined)
        this.db.run('UPDATE users SET display_name = ? WHERE id = ?', [changes.displayName, id]);
      if (changes.role !== undefined)
        this.db.run('UPDATE users SET role = ? WHERE id = ?', [changes.role, id]);
      if (changes.disabled !== undefined)
        this.db.run('UPDATE users SET disabled = ? WHERE id = ?', [changes.disabled ? 1 : 0, id]);
      if (changes.passwordHash !== undefined)
        this.db.run('UPDATE users SET password_hash = ? WHERE id = ?', [changes.passwordHash, id]);
      return this.byId(id)!;
    });
  }

  delete(id: number): void {
    this.db.transaction(() => {
      const { changes } = this.db.run('DELETE FROM users WHERE id = ?', [id]);
      if (changes === 0) throw new NotFoundError(`user ${id} not found`);
      this.db.run("DELETE FROM model_permissions WHERE subject_type = 'user' AND subject_id = ?", [
        id
      ]);
    });
  }

  groupIdsOf(userId: number): number[] {
    return this.db
      .all('SELECT group_id FROM group_members WHERE user_id = ?', [userId])
      .map((row) => Number(row.group_id));
  }
}

export class Groups {
  constructor(private readonly db: HearthDatabase) {}

  list(): Group[] {
    const members = new Map<number, number[]>();
    for (const row of this.db.all('SELECT group_id, user_id FROM group_members ORDER BY user_id')) {
      const list = members.get(Number(row.group_id)) ?? [];
      list.push(Number(row.user_id));
      members.set(Number(row.group_id), list);
    }
    return this.db.all('SELECT * FROM groups ORDER BY id').map((row) => ({
      id: Number(row.id),
      name: String(row.name),
      description: String(row.description),
      createdAt: Number(row.created_at),
      memberIds: members.get(Number(row.id)) ?? []
    }));
  }

  byId(id: number): Group | undefined {
    return this.list().find((g) => g.id === id);
  }

  private assertNameFree(name: string, exceptId?: number): void {
    const row = this.db.get('SELECT id FROM groups WHERE name_key = ?', [nameKey(name)]);
    if (row && Number(row.id) !== exceptId)
      throw new ConflictError(`group '${name}' already exists`, {
        code: 'group_name_taken',
        params: { name }
      });
  }

  create(name: string, description = ''): Group {
    return this.db.transaction(() => {
      this.assertNameFree(name);
      const { lastId } = this.db.run(
        'INSERT INTO groups (name, name_key, description, created_at) VALUES (?, ?, ?, ?)',
        [name, nameKey(name), description, Date.now()]
      );
      return this.byId(lastId)!;
    });
  }

  update(id: number, changes: { name?: string; description?: string }): Group {
    return this.db.transaction(() => {
      if (!this.byId(id)) throw new NotFoundError(`group ${id} not found`);
      if (changes.name !== undefined) {
        this.assertNameFree(changes.name, id);
        this.db.run('UPDATE groups SET name = ?, name_key = ? WHERE id = ?', [
          changes.name,
          nameKey(changes.name),
          id
        ]);
      }
      if (changes.description !== undefined)
        this.db.run('UPDATE groups SET description = ? WHERE id = ?', [changes.description, id]);
      return this.byId(id)!;
    });
  }

  delete(id: number): void {
    this.db.transaction(() => {
      const { changes } = this.db.run('DELETE FROM groups WHERE id = ?', [id]);
      if (changes === 0) throw new NotFoundError(`group ${id} not found`);
      this.db.run("DELETE FROM model_permissions WHERE subject_type = 'group' AND subject_id = ?", [
        id
      ]);
    });
  }

  /** Replaces the member list; unknown user ids are a 400, nothing changes then. */
  setMembers(id: number, userIds: number[]): Group {
    return this.db.transaction(() => {
      if (!this.byId(id)) throw new NotFoundError(`group ${id} not found`);
      this.db.run('DELETE FROM group_members WHERE group_id = ?', [id]);
      for (const userId of new Set(userIds)) this.insertMember(id, userId);
      return this.byId(id)!;
    });
  }

  addMember(id: number, userId: number): Group {
    return this.db.transaction(() => {
      if (!this.byId(id)) throw new NotFoundError(`group ${id} not found`);
      this.insertMember(id, userId);
      return this.byId(id)!;
    });
  }

  removeMember(id: number, userId: number): Group {
    return this.db.transaction(() => {
      if (!this.byId(id)) throw new NotFoundError(`group ${id} not found`);
      this.db.run('DELETE FROM group_members WHERE group_id = ? AND user_id = ?', [id, userId]);
      return this.byId(id)!;
    });
  }

  private insertMember(groupId: number, userId: number): void {
    if (!this.db.get('SELECT id FROM users WHERE id = ?', [userId]))
      throw new InvalidInputError(`user ${userId} not found`);
    this.db.run('INSERT OR IGNORE INTO group_members (group_id, user_id) VALUES (?, ?)', [
      groupId,
      userId
    ]);
  }
}
