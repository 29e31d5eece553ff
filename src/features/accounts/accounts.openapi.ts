import { ADMIN, ANY, registerEndpoints } from '../../openapi';
import * as s from './accounts.schemas';

/** My account, staff management and "invite all" (issue #12). */
export function accountsOpenApi(): void {
  registerEndpoints([
    { method: 'patch', path: '/api/auth/me', summary: 'Change your name', tag: 'accounts', roles: ANY, body: s.nameBody, ok: 200 },
    { method: 'post', path: '/api/auth/me/email', summary: 'Change your e-mail: sends a confirmation link to the new address', tag: 'accounts', roles: ANY, body: s.emailBody, ok: 202 },
    { method: 'post', path: '/api/auth/email-change/{token}', summary: 'Confirm a new e-mail address from the link', tag: 'accounts', roles: [], ok: 200 },
    { method: 'post', path: '/api/auth/me/password', summary: 'Change your password (other sessions end)', tag: 'accounts', roles: ANY, body: s.changePasswordBody, ok: 204 },
    { method: 'get', path: '/api/auth/sessions', summary: 'Your signed-in sessions', tag: 'accounts', roles: ANY, ok: 200 },
    { method: 'delete', path: '/api/auth/sessions/{id}', summary: 'End one of your sessions', tag: 'accounts', roles: ANY, ok: 204 },
    { method: 'patch', path: '/api/users/{id}', summary: 'Make a staff account an admin or an organiser (not the last active admin)', tag: 'accounts', roles: ADMIN, body: s.roleBody, ok: 200 },
    { method: 'delete', path: '/api/users/{id}', summary: 'Erase an account now (not the last active admin)', tag: 'accounts', roles: ADMIN, ok: 204 },
    { method: 'get', path: '/api/parents/uninvited', summary: 'How many parents have never been sent an invitation', tag: 'accounts', roles: ADMIN, ok: 200 },
    { method: 'post', path: '/api/parents/invite-all', summary: 'Invite every parent never invited; `expected` is the count confirmed', tag: 'accounts', roles: ADMIN, body: s.inviteAllBody, ok: 200 },
  ]);
}
