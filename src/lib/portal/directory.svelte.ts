/**
 * Users and groups loaded together: the admin's users page names each user's groups and
 * the groups page lists members, so both need both lists, refreshed after every change.
 */
import type { GroupJson } from '#protocol/portal/types';
import { listGroups, listUsers, type AdminUser } from './admin';
import { messageOf } from '../util/format';

export class Directory {
  users = $state<AdminUser[]>([]);
  groups = $state<GroupJson[]>([]);
  error = $state('');

  async refresh(): Promise<void> {
    try {
      [this.users, this.groups] = await Promise.all([listUsers(), listGroups()]);
      this.error = '';
    } catch (e) {
      this.error = messageOf(e);
    }
  }
}
