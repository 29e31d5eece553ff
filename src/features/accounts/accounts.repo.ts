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
}

interface UserRow {
  id: number;
  email: string;
  name: string;
  role: Role;
  status: 'active' | 'disabled';
  password_hash: string | null;
  created_at: string;
}

const toUser = (r: UserRow): User => ({
  id: r.id,
  email: r.email,
  name: r.name,
  role: r.role,
  status: r.status,
  hasPassword: r.password_hash !== null,
  createdAt: r.created_at,
});

export type TokenPurpose = 'invitation' | 'password_reset';

/** Prepared SQL for users, sessions, API tokens and one-time tokens. */
export function accountsRepo(db: Db) {
  const q = {
    userById: db.prepare<[number], UserRow>('SELECT * FROM users WHERE id = ?'),
    userByEmail: db.prepare<[string], UserRow>('SELECT * FROM users WHERE email = ?'),
    insertUser: db.prepare('INSERT INTO users (email, name, role, created_at) VALUES (?, ?, ?, ?)'),
    setPassword: db.prepare('UPDATE users SET password_hash = ? WHERE id = ?'),
    insertSession: db.prepare('INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)'),
    sessionByHash: db.prepare<[string, string], { user_id: number; csrf_token: string }>(
      'SELECT user_id, csrf_token FROM sessions WHERE token_hash = ? AND expires_at > ?'),
    deleteSession: db.prepare('DELETE FROM sessions WHERE token_hash = ?'),
    deleteUserSessions: db.prepare('DELETE FROM sessions WHERE user_id = ?'),
    deleteExpiredSessions: db.prepare('DELETE FROM sessions WHERE expires_at <= ?'),
    insertApiToken: db.prepare('INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)'),
    apiTokenByHash: db.prepare<[string], { id: number; user_id: number }>('SELECT id, user_id FROM api_tokens WHERE token_hash = ?'),
    touchApiToken: db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?'),
    apiTokensOf: db.prepare<[number], { id: number; name: string; created_at: string; last_used_at: string | null }>(
      'SELECT id, name, created_at, last_used_at FROM api_tokens WHERE user_id = ? ORDER BY id'),
    deleteApiToken: db.prepare('DELETE FROM api_tokens WHERE id = ? AND user_id = ?'),
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
    insertApiToken: (userId: number, name: string, hash: string, now: string): number =>
      Number(q.insertApiToken.run(userId, name, hash, now).lastInsertRowid),
    apiTokenByHash: (hash: string) => q.apiTokenByHash.get(hash),
    touchApiToken: (id: number, now: string) => q.touchApiToken.run(now, id),
    apiTokensOf: (userId: number) => q.apiTokensOf.all(userId),
    deleteApiToken: (id: number, userId: number) => q.deleteApiToken.run(id, userId).changes,
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
