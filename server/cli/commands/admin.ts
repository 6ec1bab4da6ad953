/**
 * `hearth admin create NAME` and `hearth admin reset-password NAME`: account rescue that
 * works on the database file directly (see accounts.ts), with or without a running server.
 *
 * The password comes from --password, else a hidden prompt (asked twice) on a terminal,
 * else the first line of stdin, so scripts can pipe it in without it showing in `ps`.
 */
import { passwordSchema, usernameSchema } from '../../auth/names';
import { hashPassword } from '../../auth/passwords';
import { CliError } from '../client';
import { validated, withStore, type Write } from './accounts';

export interface PasswordSource {
  password?: string;
}

/** Reads one line from a terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let answer = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const finish = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(answer);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003') return finish(new CliError('cancelled'));
        if (char === '\u007f' || char === '\b') answer = [...answer].slice(0, -1).join('');
        else answer += char;
      }
    };
    stdin.on('data', onData);
  });
}

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

async function obtainPassword(source: PasswordSource): Promise<string> {
  let password: string;
  if (source.password !== undefined) password = source.password;
  else if (process.stdin.isTTY) {
    password = await promptHidden('Password: ');
    const again = await promptHidden('Repeat password: ');
    if (again !== password) throw new CliError('the passwords do not match');
  } else password = await readStdinLine();
  return validated(passwordSchema, password);
}

export async function createAdmin(
  username: string,
  source: PasswordSource,
  write: Write
): Promise<void> {
  const name = validated(usernameSchema, username);
  const password = await obtainPassword(source);
  await withStore(async (store, file) => {
    if (store.users.byUsername(name)) throw new CliError(`user '${name}' already exists`);
    const user = store.users.create({
      username: name,
      role: 'admin',
      passwordHash: await hashPassword(password)
    });
    store.audit.record({
      actor: null,
      action: 'user.create',
      target: user.username,
      detail: { role: 'admin', via: 'cli' }
    });
    write(`Created administrator '${user.username}' in ${file}\n`);
  });
}

export async function resetPassword(
  username: string,
  source: PasswordSource,
  write: Write
): Promise<void> {
  const name = validated(usernameSchema, username);
  await withStore(async (store) => {
    const user = store.users.byUsername(name);
    if (!user) throw new CliError(`user '${name}' not found`);
    const password = await obtainPassword(source);
    const passwordHash = await hashPassword(password);
    store.db.transaction(() => {
      store.users.update(user.id, { passwordHash });
      store.sessions.deleteForUser(user.id);
    });
    store.audit.record({
      actor: null,
      action: 'user.update',
      target: user.username,
      detail: { passwordReset: true, via: 'cli' }
    });
    write(`Password of '${user.username}' changed; their sessions were signed out.\n`);
  });
}
