import type { Clock } from '../../platform/clock';
import type { Db } from '../../platform/db';
import { AppError, conflict, gone, notFound } from '../../platform/errors';
import type { Mailer } from '../../platform/mailer';
import { hashPassword, hashToken, newToken, verifyPassword } from '../../platform/secrets';
import type { Audit } from '../audit/audit.service';
import { accountsRepo, type Role, type User } from './accounts.repo';

const DAY = 24 * 60 * 60 * 1000;
const INVITATION_DAYS = 14;
const RESET_MINUTES = 60;

export interface AccountsDeps {
  db: Db;
  clock: Clock;
  audit: Audit;
  mailer: Mailer;
  publicUrl: string;
  schoolName: string;
  sessionDays: number;
}

export interface SessionAuth {
  user: User;
  csrfToken: string;
}

export type AccountsService = ReturnType<typeof createAccountsService>;

export function createAccountsService(d: AccountsDeps) {
  const repo = accountsRepo(d.db);
  const now = () => d.clock.now();
  const iso = (offsetMs = 0) => new Date(now().getTime() + offsetMs).toISOString();

  function issueUserToken(userId: number, purpose: 'invitation' | 'password_reset', ttlMs: number): string {
    repo.retireUserTokens(userId, purpose, iso());
    const token = newToken();
    repo.insertUserToken(hashToken(token), userId, purpose, iso(), iso(ttlMs));
    return token;
  }

  /** Checks a one-time token and marks it used, atomically. */
  function consumeUserToken(token: string, purpose: 'invitation' | 'password_reset'): number {
    const row = repo.userTokenByHash(hashToken(token), purpose);
    if (!row) throw notFound(purpose === 'invitation' ? 'invitation' : 'password reset link');
    if (row.used_at) throw gone('This link has already been used. Ask the school office for a new one.');
    if (row.expires_at <= iso()) throw gone('This link has expired. Ask for a new one.');
    if (!repo.useUserToken(hashToken(token), iso())) throw gone('This link has already been used.');
    return row.user_id;
  }

  const invitationUrl = (token: string) => `${d.publicUrl}/invite/${token}`;

  async function sendInvitation(user: User, token: string): Promise<void> {
    await d.mailer.send({
      to: user.email,
      subject: `Your ShareSafe account at ${d.schoolName}`,
      text: `Hello ${user.name},\n\n${d.schoolName} has invited you to ShareSafe, which helps you share event photos without showing other children who lack consent.\n\nSet your password here (the link works for ${INVITATION_DAYS} days):\n${invitationUrl(token)}\n`,
    });
  }

  return {
    repo,

    /** Creates an account with no password and returns a one-time invitation link. */
    createUserRecord(input: { email: string; name: string; role: Role }, actorId: number | null) {
      if (repo.userByEmail(input.email)) throw conflict('An account with that email already exists.');
      const id = repo.insertUser(input.email, input.name, input.role, iso());
      const token = issueUserToken(id, 'invitation', INVITATION_DAYS * DAY);
      d.audit.record('user.created', { actorId, subjectType: 'user', subjectId: id, details: { role: input.role } });
      return { user: repo.userById(id)!, invitationUrl: invitationUrl(token), token };
    },

    async createUser(input: { email: string; name: string; role: Role }, actorId: number | null, opts: { sendEmail?: boolean } = {}) {
      const created = this.createUserRecord(input, actorId);
      if (opts.sendEmail) await sendInvitation(created.user, created.token);
      return { user: created.user, invitationUrl: created.invitationUrl };
    },

    /** A fresh invitation link (older ones stop working), without sending mail. */
    issueInvitationLink(userId: number): string {
      return invitationUrl(issueUserToken(userId, 'invitation', INVITATION_DAYS * DAY));
    },

    async resendInvitation(userId: number, actorId: number) {
      const user = repo.userById(userId);
      if (!user) throw notFound('user');
      if (user.hasPassword) throw conflict('This person has already set a password.');
      const token = issueUserToken(userId, 'invitation', INVITATION_DAYS * DAY);
      await sendInvitation(user, token);
      d.audit.record('user.invitation_sent', { actorId, subjectType: 'user', subjectId: userId });
      return { invitationUrl: invitationUrl(token) };
    },

    invitationUser(token: string): User {
      const row = repo.userTokenByHash(hashToken(token), 'invitation');
      if (!row) throw notFound('invitation');
      if (row.used_at || row.expires_at <= iso()) throw gone('This invitation has expired or was already used. Ask the school office for a new one.');
      return repo.userById(row.user_id)!;
    },

    async acceptInvitation(token: string, password: string): Promise<SessionAuth & { sessionToken: string }> {
      const userId = consumeUserToken(token, 'invitation');
      repo.setPassword(userId, await hashPassword(password));
      d.audit.record('user.invitation_accepted', { actorId: userId, subjectType: 'user', subjectId: userId });
      return startSession(userId);
    },

    async login(email: string, password: string): Promise<SessionAuth & { sessionToken: string }> {
      const found = repo.userByEmail(email);
      // Verify against a dummy hash when the user is unknown, so timing does not reveal accounts.
      const ok = await verifyPassword(password, found?.passwordHash ?? DUMMY_HASH);
      if (!found || !ok || found.user.status !== 'active') {
        throw new AppError('invalid_credentials', 401, 'That email and password do not match an active account.');
      }
      d.audit.record('user.signed_in', { actorId: found.user.id, subjectType: 'user', subjectId: found.user.id });
      return startSession(found.user.id);
    },

    logout(sessionToken: string) {
      repo.deleteSession(hashToken(sessionToken));
    },

    authenticateSession(sessionToken: string): SessionAuth | null {
      const s = repo.sessionByHash(hashToken(sessionToken), iso());
      if (!s) return null;
      const user = repo.userById(s.user_id);
      return user && user.status === 'active' ? { user, csrfToken: s.csrf_token } : null;
    },

    authenticateApiToken(token: string): User | null {
      const row = repo.apiTokenByHash(hashToken(token));
      if (!row) return null;
      const user = repo.userById(row.user_id);
      if (!user || user.status !== 'active') return null;
      repo.touchApiToken(row.id, iso());
      return user;
    },

    createApiToken(userId: number, name: string) {
      const token = `ss_${newToken()}`;
      const id = repo.insertApiToken(userId, name, hashToken(token), iso());
      d.audit.record('api_token.created', { actorId: userId, subjectType: 'api_token', subjectId: id });
      return { id, name, token };
    },

    revokeApiToken(userId: number, tokenId: number) {
      if (!repo.deleteApiToken(tokenId, userId)) throw notFound('API token');
      d.audit.record('api_token.revoked', { actorId: userId, subjectType: 'api_token', subjectId: tokenId });
    },

    /** Always answers the same way, so the form does not reveal who has an account. */
    async requestPasswordReset(email: string): Promise<void> {
      const found = repo.userByEmail(email);
      if (!found || found.user.status !== 'active') return;
      const token = issueUserToken(found.user.id, 'password_reset', RESET_MINUTES * 60 * 1000);
      await d.mailer.send({
        to: found.user.email,
        subject: 'Reset your ShareSafe password',
        text: `Hello ${found.user.name},\n\nSomeone asked to reset the password of your ShareSafe account at ${d.schoolName}. If it was you, choose a new password here within ${RESET_MINUTES} minutes:\n${d.publicUrl}/reset-password/${token}\n\nIf it was not you, ignore this email; your password stays the same.\n`,
      });
      d.audit.record('user.password_reset_requested', { subjectType: 'user', subjectId: found.user.id });
    },

    async resetPassword(token: string, password: string) {
      const userId = consumeUserToken(token, 'password_reset');
      repo.setPassword(userId, await hashPassword(password));
      repo.deleteUserSessions(userId);
      d.audit.record('user.password_reset', { actorId: userId, subjectType: 'user', subjectId: userId });
      return startSession(userId);
    },

    /** Sets a password directly (CLI for the first admin, tests). */
    async setPassword(userId: number, password: string) {
      repo.setPassword(userId, await hashPassword(password));
    },

    setStatus(userId: number, status: 'active' | 'disabled', actorId: number) {
      if (!repo.userById(userId)) throw notFound('user');
      repo.setStatus(userId, status);
      if (status === 'disabled') repo.deleteUserSessions(userId);
      d.audit.record(`user.${status === 'active' ? 'enabled' : 'disabled'}`, { actorId, subjectType: 'user', subjectId: userId });
    },
  };

  function startSession(userId: number): SessionAuth & { sessionToken: string } {
    const sessionToken = newToken();
    const csrfToken = newToken(18);
    repo.insertSession(hashToken(sessionToken), userId, csrfToken, iso(), iso(d.sessionDays * DAY));
    return { user: repo.userById(userId)!, csrfToken, sessionToken };
  }
}

// A valid scrypt hash of a random string, used to spend the same time for unknown emails.
const DUMMY_HASH = 'scrypt$32768$AAAAAAAAAAAAAAAAAAAAAA==$Z1fK2Jq6l0n3a8o6l5gq3y6Yqv0fJd7r3m1x9c2b4e8=';
