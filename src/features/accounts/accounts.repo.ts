import type { Db } from '../../platform/db';

export type Role = 'admin' | 'organiser' | 'parent';

export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
  status: 'active' | 'disabled';
  hasPassword: boolean;
  createdAt: string;
  /** When an invitation was last e-mailed; null: never (e.g. created by an import). */
  invitedAt: string | null;
  /** Parent disabled because none of their children is on roll any more. */
  retiredAt: string | null;
}

interface UserRow {
  id: number;
  email: string;
  name: string;
  role: Role;
  status: 'active' | 'disabled';
  password_hash: string | null;
  created_at: string;
  invited_at: string | null;
  retired_at: string | null;
}

const toUser = (r: UserRow): User => ({
  id: r.id,
  email: r.email,
  name: r.name,
  role: r.role,
  status: r.status,
  hasPassword: r.password_hash !== null,
  createdAt: r.created_at,
  invitedAt: r.invited_at,
  retiredAt: r.retired_at,
});

interface ApiTokenRow { id: number; name: string; created_at: string; last_used_at: string | null; expires_at: string | null }

export type TokenPurpose = 'invitation' | 'password_reset';

/** Prepared SQL for users, sessions, API tokens and one-time tokens. */
export function accountsRepo(db: Db) {
  const q = {
    userById: db.prepare<[number], UserRow>('SELECT * FROM users WHERE id = ?'),
    userByEmail: db.prepare<[string], UserRow>('SELECT * FROM users WHERE email = ?'),
    // Never an erased account's id (migration 005): the audit trail refers to accounts by id.
    insertUser: db.prepare(`INSERT INTO users (id, email, name, role, created_at) VALUES (
      (SELECT MAX(m) FROM (SELECT MAX(id) AS m FROM users UNION ALL SELECT max_id FROM id_high_water WHERE tbl = 'users')) + 1, ?, ?, ?, ?)`),
    setPassword: db.prepare('UPDATE users SET password_hash = ? WHERE id = ?'),
    insertSession: db.prepare('INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)'),
    sessionByHash: db.prepare<[string, string], { user_id: number; csrf_token: string }>(
      'SELECT user_id, csrf_token FROM sessions WHERE token_hash = ? AND expires_at > ?'),
    deleteSession: db.prepare('DELETE FROM sessions WHERE token_hash = ?'),
    deleteUserSessions: db.prepare('DELETE FROM sessions WHERE user_id = ?'),
    deleteExpiredSessions: db.prepare('DELETE FROM sessions WHERE expires_at <= ?'),
    insertApiToken: db.prepare('INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)'),
    apiTokenByHash: db.prepare<[string, string], { id: number; user_id: number }>(
      'SELECT id, user_id FROM api_tokens WHERE token_hash = ? AND (expires_at IS NULL OR expires_at > ?)'),
    touchApiToken: db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?'),
    apiTokensOf: db.prepare<[number], ApiTokenRow>(
      'SELECT id, name, created_at, last_used_at, expires_at FROM api_tokens WHERE user_id = ? ORDER BY id'),
    deleteApiToken: db.prepare('DELETE FROM api_tokens WHERE id = ? AND user_id = ?'),
    deleteApiTokensOf: db.prepare('DELETE FROM api_tokens WHERE user_id = ?'),
    deleteExpiredApiTokens: db.prepare('DELETE FROM api_tokens WHERE expires_at <= ?'),
    sessionsOf: db.prepare<[number, string], { id: number; token_hash: string; created_at: string; expires_at: string }>(
      'SELECT rowid AS id, token_hash, created_at, expires_at FROM sessions WHERE user_id = ? AND expires_at > ? ORDER BY created_at DESC'),
    deleteSessionById: db.prepare('DELETE FROM sessions WHERE rowid = ? AND user_id = ?'),
    deleteOtherSessions: db.prepare('DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?'),
    deleteOldUserTokens: db.prepare('DELETE FROM user_tokens WHERE used_at IS NOT NULL OR expires_at <= ?'),
    deleteOldEmailChanges: db.prepare('DELETE FROM email_changes WHERE used_at IS NOT NULL OR expires_at <= ?'),
    insertEmailChange: db.prepare('INSERT INTO email_changes (token_hash, user_id, new_email, created_at, expires_at) VALUES (?, ?, ?, ?, ?)'),
    emailChangeByHash: db.prepare<[string], { user_id: number; new_email: string; expires_at: string; used_at: string | null }>(
      'SELECT user_id, new_email, expires_at, used_at FROM email_changes WHERE token_hash = ?'),
    useEmailChange: db.prepare('UPDATE email_changes SET used_at = ? WHERE token_hash = ? AND used_at IS NULL'),
    retireEmailChanges: db.prepare('UPDATE email_changes SET used_at = ? WHERE user_id = ? AND used_at IS NULL'),
    setName: db.prepare('UPDATE users SET name = ? WHERE id = ?'),
    setEmail: db.prepare('UPDATE users SET email = ? WHERE id = ?'),
    setRole: db.prepare('UPDATE users SET role = ? WHERE id = ?'),
    setInvitedAt: db.prepare('UPDATE users SET invited_at = ? WHERE id = ?'),
    setRetiredAt: db.prepare('UPDATE users SET retired_at = ? WHERE id = ?'),
    deleteUser: db.prepare('DELETE FROM users WHERE id = ?'),
    countActiveAdmins: db.prepare("SELECT COUNT(*) FROM users WHERE role = 'admin' AND status = 'active'"),
    /** Parents never sent an invitation, who have not set a password, with a child on roll. */
    uninvitedParents: db.prepare<[], UserRow>(
      `SELECT u.* FROM users u WHERE u.role = 'parent' AND u.status = 'active' AND u.password_hash IS NULL AND u.invited_at IS NULL
         AND EXISTS (SELECT 1 FROM guardians g JOIN pupils p ON p.id = g.pupil_id WHERE g.user_id = u.id AND p.status = 'on_roll')
       ORDER BY u.name, u.id`),
    insertUserToken: db.prepare('INSERT INTO user_tokens (token_hash, user_id, purpose, created_at, expires_at) VALUES (?, ?, ?, ?, ?)'),
    userTokenByHash: db.prepare<[string, string], { user_id: number; expires_at: string; used_at: string | null }>(
      'SELECT user_id, expires_at, used_at FROM user_tokens WHERE token_hash = ? AND purpose = ?'),
    useUserToken: db.prepare('UPDATE user_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL'),
    retireUserTokens: db.prepare('UPDATE user_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL'),
    listUsers: db.prepare<[{ role: string | null; q: string | null }], UserRow>(
      `SELECT * FROM users WHERE (@role IS NULL OR role = @role)
         AND (@q IS NULL OR name LIKE '%' || @q || '%' OR email LIKE '%' || @q || '%') ORDER BY name`),
    setStatus: db.prepare('UPDATE users SET status = ? WHERE id = ?'),
    updateUser: db.prepare('UPDATE users SET name = ?, email = ? WHERE id = ?'),
    countAdmins: db.prepare('SELECT COUNT(*) FROM users WHERE role = \'admin\''),
  };

  return {
    userById: (id: number) => {
      const r = q.userById.get(id);
      return r ? toUser(r) : undefined;
    },
    userByEmail: (email: string) => {
      const r = q.userByEmail.get(email);
      return r ? { user: toUser(r), passwordHash: r.password_hash } : undefined;
    },
    insertUser: (email: string, name: string, role: Role, now: string): number =>
      Number(q.insertUser.run(email, name, role, now).lastInsertRowid),
    setPassword: (userId: number, hash: string) => q.setPassword.run(hash, userId),
    insertSession: (hash: string, userId: number, csrf: string, now: string, expires: string) =>
      q.insertSession.run(hash, userId, csrf, now, expires),
    sessionByHash: (hash: string, now: string) => q.sessionByHash.get(hash, now),
    deleteSession: (hash: string) => q.deleteSession.run(hash),
    deleteUserSessions: (userId: number) => q.deleteUserSessions.run(userId),
    deleteExpiredSessions: (now: string) => q.deleteExpiredSessions.run(now).changes,
    insertApiToken: (userId: number, name: string, hash: string, now: string, expires: string): number =>
      Number(q.insertApiToken.run(userId, name, hash, now, expires).lastInsertRowid),
    /** Only a token that has not expired. */
    apiTokenByHash: (hash: string, now: string) => q.apiTokenByHash.get(hash, now),
    touchApiToken: (id: number, now: string) => q.touchApiToken.run(now, id),
    apiTokensOf: (userId: number) => q.apiTokensOf.all(userId).map((t) => ({
      id: t.id, name: t.name, createdAt: t.created_at, lastUsedAt: t.last_used_at, expiresAt: t.expires_at,
    })),
    deleteApiToken: (id: number, userId: number) => q.deleteApiToken.run(id, userId).changes,
    deleteApiTokensOf: (userId: number) => q.deleteApiTokensOf.run(userId).changes,
    deleteExpiredApiTokens: (now: string) => q.deleteExpiredApiTokens.run(now).changes,
    sessionsOf: (userId: number, now: string) => q.sessionsOf.all(userId, now),
    deleteSessionById: (id: number, userId: number) => q.deleteSessionById.run(id, userId).changes === 1,
    deleteOtherSessions: (userId: number, keepHash: string) => q.deleteOtherSessions.run(userId, keepHash).changes,
    /** One-time tokens (invitations, resets, e-mail changes) once used or expired. */
    deleteOldOneTimeTokens: (now: string) => q.deleteOldUserTokens.run(now).changes + q.deleteOldEmailChanges.run(now).changes,
    insertEmailChange: (hash: string, userId: number, newEmail: string, now: string, expires: string) =>
      q.insertEmailChange.run(hash, userId, newEmail, now, expires),
    emailChangeByHash: (hash: string) => q.emailChangeByHash.get(hash),
    useEmailChange: (hash: string, now: string) => q.useEmailChange.run(now, hash).changes === 1,
    retireEmailChanges: (userId: number, now: string) => q.retireEmailChanges.run(now, userId),
    setName: (userId: number, name: string) => q.setName.run(name, userId),
    setEmail: (userId: number, email: string) => q.setEmail.run(email, userId),
    setRole: (userId: number, role: Role) => q.setRole.run(role, userId),
    setInvitedAt: (userId: number, at: string) => q.setInvitedAt.run(at, userId),
    setRetiredAt: (userId: number, at: string | null) => q.setRetiredAt.run(at, userId),
    deleteUser: (userId: number) => q.deleteUser.run(userId).changes === 1,
    countActiveAdmins: () => q.countActiveAdmins.pluck().get() as number,
    uninvitedParents: () => q.uninvitedParents.all().map(toUser),
    insertUserToken: (hash: string, userId: number, purpose: TokenPurpose, now: string, expires: string) =>
      q.insertUserToken.run(hash, userId, purpose, now, expires),
    userTokenByHash: (hash: string, purpose: TokenPurpose) => q.userTokenByHash.get(hash, purpose),
    useUserToken: (hash: string, now: string) => q.useUserToken.run(now, hash).changes === 1,
    retireUserTokens: (userId: number, purpose: TokenPurpose, now: string) => q.retireUserTokens.run(now, userId, purpose),
    listUsers: (role: Role | null, search: string | null) => q.listUsers.all({ role, q: search }).map(toUser),
    setStatus: (userId: number, status: 'active' | 'disabled') => q.setStatus.run(status, userId),
    updateUser: (userId: number, name: string, email: string) => q.updateUser.run(name, email, userId),
    countAdmins: () => q.countAdmins.pluck().get() as number,
  };
}

export type AccountsRepo = ReturnType<typeof accountsRepo>;
