import { Router } from 'express';
import type { AppContext } from '../../context';
import { idParam } from '../../platform/http';
import { accountsOpenApi } from './accounts.openapi';
import { presentUser } from './accounts.presenter';
import * as s from './accounts.schemas';
import { currentUser, requireRole, requireUser, SESSION_COOKIE, setSessionCookie } from './auth.middleware';

export function accountsRoutes(ctx: AppContext): Router {
  const { accounts, config } = ctx;
  const r = Router();
  accountsOpenApi();
  const startSession = (res: import('express').Response, token: string) =>
    setSessionCookie(res, token, config.SECURE_COOKIES, config.SESSION_DAYS);

  r.post('/auth/login', async (req, res) => {
    const body = s.loginBody.parse(req.body);
    const session = await accounts.login(body.email, body.password);
    startSession(res, session.sessionToken);
    res.json({ user: presentUser(session.user), csrfToken: session.csrfToken });
  });

  r.post('/auth/logout', (req, res) => {
    if (req.auth?.sessionToken) accounts.logout(req.auth.sessionToken);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  r.get('/auth/me', requireUser, (req, res) => {
    res.json({ user: presentUser(currentUser(req)), csrfToken: req.auth?.csrfToken ?? null });
  });

  r.post('/auth/password-reset', async (req, res) => {
    await accounts.requestPasswordReset(s.resetRequestBody.parse(req.body).email);
    res.status(202).json({ message: 'If that address has an account, a reset link is on its way.' });
  });

  r.post('/auth/password-reset/:token', async (req, res) => {
    const session = await accounts.resetPassword(req.params.token, s.resetBody.parse(req.body).password);
    startSession(res, session.sessionToken);
    res.json({ user: presentUser(session.user), csrfToken: session.csrfToken });
  });

  r.get('/invitations/:token', (req, res) => {
    const user = accounts.invitationUser(req.params.token);
    res.json({ name: user.name, email: user.email });
  });

  r.post('/invitations/:token', async (req, res) => {
    const session = await accounts.acceptInvitation(req.params.token, s.acceptInvitationBody.parse(req.body).password);
    startSession(res, session.sessionToken);
    res.status(201).json({ user: presentUser(session.user), csrfToken: session.csrfToken });
  });

  r.get('/tokens', requireUser, (req, res) => {
    res.json({ tokens: accounts.repo.apiTokensOf(currentUser(req).id) });
  });

  r.post('/tokens', requireUser, (req, res) => {
    const body = s.apiTokenBody.parse(req.body);
    const created = accounts.createApiToken(currentUser(req).id, body.name, body.days);
    res.status(201).json(created);
  });

  // My account: name, e-mail (confirmed by a link to the new address), password, sessions.
  r.patch('/auth/me', requireUser, (req, res) => {
    res.json({ user: presentUser(accounts.updateName(currentUser(req).id, s.nameBody.parse(req.body).name)) });
  });

  r.post('/auth/me/email', requireUser, async (req, res) => {
    await accounts.requestEmailChange(currentUser(req).id, s.emailBody.parse(req.body).email);
    res.status(202).json({ message: 'A confirmation link is on its way to the new address.' });
  });

  r.post('/auth/email-change/:token', (req, res) => {
    res.json({ user: presentUser(accounts.confirmEmailChange(req.params.token)) });
  });

  r.post('/auth/me/password', requireUser, async (req, res) => {
    const body = s.changePasswordBody.parse(req.body);
    await accounts.changePassword(currentUser(req).id, body.currentPassword, body.password, req.auth?.sessionToken);
    res.status(204).end();
  });

  r.get('/auth/sessions', requireUser, (req, res) => {
    res.json({ sessions: accounts.sessionsOf(currentUser(req).id, req.auth?.sessionToken) });
  });

  r.delete('/auth/sessions/:id', requireUser, (req, res) => {
    accounts.revokeSession(currentUser(req).id, idParam.parse(req.params.id));
    res.status(204).end();
  });

  r.delete('/tokens/:id', requireUser, (req, res) => {
    accounts.revokeApiToken(currentUser(req).id, idParam.parse(req.params.id));
    res.status(204).end();
  });

  r.get('/users', requireRole('admin'), (req, res) => {
    const q = s.listUsersQuery.parse(req.query);
    res.json({ users: accounts.repo.listUsers(q.role ?? null, q.q ?? null).map(presentUser) });
  });

  r.post('/users', requireRole('admin'), async (req, res) => {
    const body = s.createUserBody.parse(req.body);
    const created = await accounts.createUser(body, currentUser(req).id, { sendEmail: body.sendInvitation });
    res.status(201).json({ user: presentUser(created.user), invitationUrl: created.invitationUrl });
  });

  r.post('/users/:id/invitation', requireRole('admin'), async (req, res) => {
    res.json(await accounts.resendInvitation(idParam.parse(req.params.id), currentUser(req).id));
  });

  r.post('/users/:id/status', requireRole('admin'), (req, res) => {
    accounts.setStatus(idParam.parse(req.params.id), s.statusBody.parse(req.body).status, currentUser(req).id);
    res.status(204).end();
  });

  r.patch('/users/:id', requireRole('admin'), (req, res) => {
    res.json({ user: presentUser(accounts.changeRole(idParam.parse(req.params.id), s.roleBody.parse(req.body).role, currentUser(req).id)) });
  });

  r.delete('/users/:id', requireRole('admin'), (req, res) => {
    // Through the register: a parent's links go first, so consent that ends takes templates with it.
    ctx.register.eraseAccount(idParam.parse(req.params.id), currentUser(req).id, 'office');
    res.status(204).end();
  });

  r.get('/parents/uninvited', requireRole('admin'), (_req, res) => {
    res.json({ count: accounts.uninvitedParents().length });
  });

  r.post('/parents/invite-all', requireRole('admin'), async (req, res) => {
    res.json(await accounts.inviteAllParents(s.inviteAllBody.parse(req.body).expected, currentUser(req).id));
  });

  return r;
}
