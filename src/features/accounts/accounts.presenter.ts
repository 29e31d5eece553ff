import type { User } from './accounts.repo';

/** What leaves the server about an account. */
export const presentUser = (u: User) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  status: u.status,
  invitationPending: !u.hasPassword,
  invitedAt: u.invitedAt,
  createdAt: u.createdAt,
});
