/**
 * Shared by `hearth admin` and `hearth keys`: the account database opened straight from
 * the data folder (HEARTH_DATA, or the folder beside the models), so these commands need
 * no running server and no signed-in admin — whoever can write the data folder already
 * owns the server. A running server sees each change on its next request.
 */
import type { z } from 'zod';
import { loadConfig } from '../../config';
import { DomainError } from '../../domain-errors';
import { databasePath } from '../../auth/db';
import { usernameSchema } from '../../auth/names';
import { AuthStore } from '../../auth/service';
import type { User } from '../../auth/users';
import { CliError } from '../client';

export type Write = (text: string) => void;

export function validated<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new CliError(result.error.issues.map((i) => i.message).join('; '));
  return result.data;
}

export async function withStore<T>(fn: (store: AuthStore, file: string) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env);
  const store = await AuthStore.open(config.dataDir);
  try {
    return await fn(store, databasePath(config.dataDir));
  } catch (error) {
    // The repositories' refusals (unknown id, taken name) are messages for the user here.
    if (error instanceof DomainError) throw new CliError(error.message);
    throw error;
  } finally {
    store.close();
  }
}

/** The account named on the command line; usernames compare as the server compares them. */
export function requireUser(store: AuthStore, username: string): User {
  const name = validated(usernameSchema, username);
  const user = store.users.byUsername(name);
  if (!user) throw new CliError(`user '${name}' not found`);
  return user;
}
