import type { Clock } from '../../platform/clock';
import type { Db } from '../../platform/db';
import { AppError, conflict, gone, notFound } from '../../platform/errors';
import type { Mailer } from '../../platform/mailer';
import { hashPassword, hashToken, needsRehash, newToken, PASSWORD_SCRYPT_N, verifyPassword } from '../../platform/secrets';
import type { Audit } from '../audit/audit.service';
import { accountsRepo, type Role, type User } from './accounts.repo';

const DAY = 24 * 60 * 60 * 1000;
const INVITATION_DAYS = 14;
const RESET_MINUTES = 60;
const EMAIL_CHANGE_HOURS = 24;
export const API_TOKEN_DAYS = 365;

export interface AccountsDeps {
  db: Db;
  clock: Clock;
  audit: Audit;
  mailer: Mailer;
  publicUrl: string;
  schoolName: string;
  sessionDays: number;
  /** scrypt cost for new password hashes (default OWASP's 2^17); tests pass a cheaper one. */
  passwordScryptN?: number;
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
  const scryptN = d.passwordScryptN ?? PASSWORD_SCRYPT_N;
  const hash = (password: string) => hashPassword(password, scryptN);
  // Verified against when the account is unknown, so timing does not reveal accounts.
  let dummyHash: Promise<string> | null = null;
  const dummy = () => (dummyHash ??= hashPassword(newToken(), scryptN));

  /** The last active admin can be neither disabled, demoted nor removed: someone must run the office. */
  function assertNotLastActiveAdmin(user: User) {
    if (user.role === 'admin' && user.status === 'active' && repo.countActiveAdmins() <= 1) {
      throw conflict('This is the only active office admin. Make someone else an admin first.');
    }
  }

  function requireUserRecord(userId: number): User {
    const user = repo.userById(userId);
    if (!user) throw notFound('user');
    return user;
  }

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
    repo.setInvitedAt(user.id, iso());
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
      const user = repo.userById(row.user_id)!;
      if (user.hasPassword) throw gone('This account already has a password. Sign in, or use "Forgotten your password?".');
      return user;
    },

    async acceptInvitation(token: string, password: string): Promise<SessionAuth & { sessionToken: string }> {
      // An invitation sets the first password only: on an account that has one it would be a
      // password reset that bypasses the owner's mailbox.
      this.invitationUser(token);
      const userId = consumeUserToken(token, 'invitation');
      repo.setPassword(userId, await hash(password));
      d.audit.record('user.invitation_accepted', { actorId: userId, subjectType: 'user', subjectId: userId });
      return startSession(userId);
    },

    async login(email: string, password: string): Promise<SessionAuth & { sessionToken: string }> {
      const found = repo.userByEmail(email);
      const ok = await verifyPassword(password, found?.passwordHash ?? await dummy());
      if (!found || !ok || found.user.status !== 'active') {
        const reason = !found ? 'unknown_account' : !ok ? 'wrong_password' : 'account_disabled';
        d.audit.record('user.sign_in_failed', { subjectType: found ? 'user' : undefined, subjectId: found?.user.id, details: { reason } });
        throw new AppError('invalid_credentials', 401, 'That email and password do not match an active account.');
      }
      // Hashes made with weaker parameters are replaced now that we hold the password.
      if (needsRehash(found.passwordHash, scryptN)) repo.setPassword(found.user.id, await hash(password));
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
      const row = repo.apiTokenByHash(hashToken(token), iso());
      if (!row) return null;
      const user = repo.userById(row.user_id);
      if (!user || user.status !== 'active') return null;
      repo.touchApiToken(row.id, iso());
      return user;
    },

    createApiToken(userId: number, name: string, days = API_TOKEN_DAYS) {
      const token = `ss_${newToken()}`;
      const expiresAt = iso(days * DAY);
      const id = repo.insertApiToken(userId, name, hashToken(token), iso(), expiresAt);
      d.audit.record('api_token.created', { actorId: userId, subjectType: 'api_token', subjectId: id, details: { days } });
      return { id, name, token, expiresAt };
    },

    revokeApiToken(userId: number, tokenId: number) {
      if (!repo.deleteApiToken(tokenId, userId)) throw notFound('API token');
      d.audit.record('api_token.revoked', { actorId: userId, subjectType: 'api_token', subjectId: tokenId });
    },

    /** Always answers the same way, so the form does not reveal who has an account. */
    async requestPasswordReset(email: string): Promise<void> {
      const found = repo.userByEmail(email);
      // An account without a password is activated by its invitation only: a reset link would let
      // whoever controls a contact address from an import take it over before the office invites.
      if (!found || found.user.status !== 'active' || !found.user.hasPassword) return;
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
      repo.setPassword(userId, await hash(password));
      // Whoever knew the old password may have made API tokens or be holding links: all go.
      repo.deleteUserSessions(userId);
      const revokedTokens = repo.deleteApiTokensOf(userId);
      repo.retireUserTokens(userId, 'invitation', iso());
      repo.retireEmailChanges(userId, iso());
      d.audit.record('user.password_reset', { actorId: userId, subjectType: 'user', subjectId: userId, details: { revokedTokens } });
      return startSession(userId);
    },

    /** Sets a password directly (CLI for the first admin, tests). */
    async setPassword(userId: number, password: string) {
      repo.setPassword(userId, await hash(password));
    },

    setStatus(userId: number, status: 'active' | 'disabled', actorId: number | null, reason?: string) {
      const user = requireUserRecord(userId);
      if (status === 'disabled') assertNotLastActiveAdmin(user);
      repo.setStatus(userId, status);
      if (status === 'disabled') {
        repo.deleteUserSessions(userId);
      } else {
        repo.setRetiredAt(userId, null);
      }
      d.audit.record(`user.${status === 'active' ? 'enabled' : 'disabled'}`, { actorId, subjectType: 'user', subjectId: userId, details: reason ? { reason } : undefined });
    },

    /** Office staff: admins and organisers. */
    staff: (): User[] => [...repo.listUsers('admin', null), ...repo.listUsers('organiser', null)]
      .sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id),

    /** Admin <-> organiser; parents are not staff and staff are not parents. */
    changeRole(userId: number, role: 'admin' | 'organiser', actorId: number) {
      const user = requireUserRecord(userId);
      if (user.role === 'parent') throw conflict('A parent account cannot become staff; invite them with a school address instead.');
      if (user.role === role) return user;
      if (role !== 'admin') assertNotLastActiveAdmin(user);
      repo.setRole(userId, role);
      d.audit.record('user.role_changed', { actorId, subjectType: 'user', subjectId: userId, details: { role } });
      return repo.userById(userId)!;
    },

    /** Deletes an account and everything that hangs off it (sessions, tokens, links); records that
     *  referred to it keep an empty author. Audited by id only. */
    eraseUser(userId: number, actorId: number | null, reason: 'office' | 'retention') {
      const user = requireUserRecord(userId);
      assertNotLastActiveAdmin(user);
      repo.deleteUser(userId);
      d.audit.record('user.erased', { actorId, subjectType: 'user', subjectId: userId, details: { role: user.role, reason } });
    },

    updateName(userId: number, name: string) {
      repo.setName(userId, name);
      d.audit.record('user.name_changed', { actorId: userId, subjectType: 'user', subjectId: userId });
      return repo.userById(userId)!;
    },

    /** Sends a confirmation link to the new address; the address changes when it is opened. The
     *  old address is told, so a stolen session cannot quietly take the account. */
    async requestEmailChange(userId: number, newEmail: string) {
      const user = requireUserRecord(userId);
      if (user.email.toLowerCase() === newEmail.toLowerCase()) throw conflict('That is already your e-mail address.');
      repo.retireEmailChanges(userId, iso());
      const token = newToken();
      repo.insertEmailChange(hashToken(token), userId, newEmail, iso(), iso(EMAIL_CHANGE_HOURS * 60 * 60 * 1000));
      await d.mailer.send({
        to: newEmail,
        subject: 'Confirm your new e-mail address for ShareSafe',
        text: `Hello ${user.name},\n\nTo use this address for your ShareSafe account at ${d.schoolName}, open this link within ${EMAIL_CHANGE_HOURS} hours:\n${d.publicUrl}/confirm-email/${token}\n\nIf you did not ask for this, ignore this e-mail.\n`,
      });
      await d.mailer.send({
        to: user.email,
        subject: 'Your ShareSafe e-mail address is being changed',
        text: `Hello ${user.name},\n\nSomeone signed in to your ShareSafe account at ${d.schoolName} asked to change its e-mail address. It changes only when the link sent to the new address is opened. If this was not you, change your password and tell the school office.\n`,
      });
      d.audit.record('user.email_change_requested', { actorId: userId, subjectType: 'user', subjectId: userId });
    },

    confirmEmailChange(token: string): User {
      const row = repo.emailChangeByHash(hashToken(token));
      if (!row) throw notFound('e-mail confirmation link');
      if (row.used_at || row.expires_at <= iso()) throw gone('This link has expired or was already used. Ask for the change again from My account.');
      if (repo.userByEmail(row.new_email)) throw conflict('Another account already uses that address.');
      if (!repo.useEmailChange(hashToken(token), iso())) throw gone('This link has already been used.');
      repo.setEmail(row.user_id, row.new_email);
      d.audit.record('user.email_changed', { actorId: row.user_id, subjectType: 'user', subjectId: row.user_id });
      return repo.userById(row.user_id)!;
    },

    /** Needs the current password; other sessions end (this one stays). */
    async changePassword(userId: number, current: string, next: string, keepSessionToken: string | undefined) {
      const user = requireUserRecord(userId);
      const stored = repo.userByEmail(user.email)?.passwordHash ?? null;
      if (!(await verifyPassword(current, stored))) throw new AppError('invalid_credentials', 400, 'Your current password is not right.');
      repo.setPassword(userId, await hash(next));
      const ended = keepSessionToken ? repo.deleteOtherSessions(userId, hashToken(keepSessionToken)) : repo.deleteUserSessions(userId).changes;
      d.audit.record('user.password_changed', { actorId: userId, subjectType: 'user', subjectId: userId, details: { sessionsEnded: ended } });
    },

    /** A person's own sessions; `current` marks the one asking. */
    sessionsOf(userId: number, currentToken: string | undefined) {
      const currentHash = currentToken ? hashToken(currentToken) : null;
      return repo.sessionsOf(userId, iso()).map((s) => ({ id: s.id, createdAt: s.created_at, expiresAt: s.expires_at, current: s.token_hash === currentHash }));
    },

    revokeSession(userId: number, sessionId: number) {
      if (!repo.deleteSessionById(sessionId, userId)) throw notFound('session');
      d.audit.record('session.revoked', { actorId: userId, subjectType: 'user', subjectId: userId });
    },

    /** Parents never invited (an import creates them silently) who have a child on roll. */
    uninvitedParents: () => repo.uninvitedParents(),

    /** Invites every uninvited parent at once. `expected` is the count the office confirmed: if
     *  it changed meanwhile (another import), nothing is sent and the new count is shown. */
    async inviteAllParents(expected: number, actorId: number): Promise<{ sent: number }> {
      const parents = repo.uninvitedParents();
      if (parents.length !== expected) {
        throw new AppError('count_changed', 409, `The number of parents to invite is now ${parents.length}, not ${expected}. Check and confirm again.`);
      }
      let sent = 0;
      for (const parent of parents) {
        await sendInvitation(parent, issueUserToken(parent.id, 'invitation', INVITATION_DAYS * DAY));
        d.audit.record('user.invitation_sent', { actorId, subjectType: 'user', subjectId: parent.id });
        sent += 1;
      }
      d.audit.record('users.invited_all', { actorId, details: { count: sent } });
      return { sent };
    },

    /** For a reminder to a parent who has not set a password: a fresh invitation link to put in it. */
    invitationForReminder(userId: number): string {
      repo.setInvitedAt(userId, iso());
      return invitationUrl(issueUserToken(userId, 'invitation', INVITATION_DAYS * DAY));
    },

    /** Housekeeping: expired sessions and API tokens, used or expired one-time links. */
    deleteExpiredCredentials(): { sessions: number; apiTokens: number; links: number } {
      return { sessions: repo.deleteExpiredSessions(iso()), apiTokens: repo.deleteExpiredApiTokens(iso()), links: repo.deleteOldOneTimeTokens(iso()) };
    },
  };

  function startSession(userId: number): SessionAuth & { sessionToken: string } {
    const sessionToken = newToken();
    const csrfToken = newToken(18);
    repo.insertSession(hashToken(sessionToken), userId, csrfToken, iso(), iso(d.sessionDays * DAY));
    return { user: repo.userById(userId)!, csrfToken, sessionToken };
  }
}
