import type { AccountsService } from './accounts.service';

export const FIRST_ADMIN_EMAIL = 'admin@sharesafe.local';

/** Until some admin has set a password, each start issues a fresh one-time sign-in link for the
 *  first office admin (creating the account on a fresh install). Returns null once an admin exists. */
export function bootstrapFirstAdmin(accounts: AccountsService): string | null {
  const admins = accounts.repo.listUsers('admin', null);
  if (admins.some((u) => u.hasPassword)) return null;
  if (admins[0]) return accounts.issueInvitationLink(admins[0].id);
  return accounts.createUserRecord({ email: FIRST_ADMIN_EMAIL, name: 'School office', role: 'admin' }, null).invitationUrl;
}
