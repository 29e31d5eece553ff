import { z, type ZodType } from 'zod';
import * as accounts from './features/accounts/accounts.schemas';
import { maskBody, revealBody, zipQuery } from './features/checks/checks.routes';

// The OpenAPI document is built from one table of endpoints and the same zod schemas the routes
// parse with, so the document cannot drift from what the server accepts.

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
export interface Endpoint {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  /** Roles allowed; empty means public. */
  roles: string[];
  body?: ZodType;
  multipart?: Record<string, string>;
  query?: ZodType;
  ok: number;
  produces?: string;
}

const ANY = ['admin', 'organiser', 'parent'];
const STAFF = ['admin', 'organiser'];
const ADMIN = ['admin'];

const coreEndpoints: Endpoint[] = [
  { method: 'get', path: '/api/health', summary: 'Service and engine status', tag: 'system', roles: [], ok: 200 },
  { method: 'post', path: '/api/auth/login', summary: 'Sign in; sets the session cookie and returns the CSRF token', tag: 'accounts', roles: [], body: accounts.loginBody, ok: 200 },
  { method: 'post', path: '/api/auth/logout', summary: 'Sign out', tag: 'accounts', roles: ANY, ok: 204 },
  { method: 'get', path: '/api/auth/me', summary: 'The signed-in account', tag: 'accounts', roles: ANY, ok: 200 },
  { method: 'post', path: '/api/auth/password-reset', summary: 'Email a password reset link', tag: 'accounts', roles: [], body: accounts.resetRequestBody, ok: 202 },
  { method: 'post', path: '/api/auth/password-reset/{token}', summary: 'Set a new password from a reset link', tag: 'accounts', roles: [], body: accounts.resetBody, ok: 200 },
  { method: 'get', path: '/api/invitations/{token}', summary: 'Who an invitation is for', tag: 'accounts', roles: [], ok: 200 },
  { method: 'post', path: '/api/invitations/{token}', summary: 'Accept an invitation by choosing a password', tag: 'accounts', roles: [], body: accounts.acceptInvitationBody, ok: 201 },
  { method: 'get', path: '/api/tokens', summary: 'Your API tokens', tag: 'accounts', roles: ANY, ok: 200 },
  { method: 'post', path: '/api/tokens', summary: 'Create an API token (shown once)', tag: 'accounts', roles: ANY, body: accounts.apiTokenBody, ok: 201 },
  { method: 'delete', path: '/api/tokens/{id}', summary: 'Revoke an API token', tag: 'accounts', roles: ANY, ok: 204 },
  { method: 'get', path: '/api/users', summary: 'List accounts', tag: 'accounts', roles: ADMIN, query: accounts.listUsersQuery, ok: 200 },
  { method: 'post', path: '/api/users', summary: 'Create an account and invite it', tag: 'accounts', roles: ADMIN, body: accounts.createUserBody, ok: 201 },
  { method: 'post', path: '/api/users/{id}/invitation', summary: 'Resend an invitation', tag: 'accounts', roles: ADMIN, ok: 200 },
  { method: 'post', path: '/api/users/{id}/status', summary: 'Enable or disable an account', tag: 'accounts', roles: ADMIN, body: accounts.statusBody, ok: 204 },
  { method: 'post', path: '/api/checks', summary: 'Check photos: per face only your child (first name), visible or blurred; and safe copies', tag: 'checks', roles: ANY,
    multipart: { photos: 'One or more photos (JPEG, PNG, WebP, HEIC)', mode: 'standard | only_my_child', eventId: 'optional event id' }, ok: 201 },
  { method: 'get', path: '/api/checks/zip', summary: 'Safe copies of several of your checks as one zip (ids=a,b,c)', tag: 'checks', roles: ANY, query: zipQuery, ok: 200, produces: 'application/zip' },
  { method: 'get', path: '/api/checks/{id}', summary: 'A check report (owner only, until it expires)', tag: 'checks', roles: ANY, ok: 200 },
  { method: 'get', path: '/api/checks', summary: 'Your checks that have not expired yet, newest first', tag: 'checks', roles: ANY, ok: 200 },
  { method: 'get', path: '/api/checks/{id}/photos/{index}', summary: 'A safe copy (JPEG, metadata removed); ?download names it, ?size=thumb makes it small', tag: 'checks', roles: ANY, ok: 200, produces: 'image/jpeg' },
  { method: 'post', path: '/api/checks/{id}/photos/{index}/masks', summary: 'Blur more: add rectangles or ellipses (pixelate, solid or sticker) to a new safe copy', tag: 'checks', roles: ANY, body: maskBody, ok: 200 },
  { method: 'get', path: '/api/checks/{id}/photos/{index}/regions/{face}', summary: 'A place that may be a face, enlarged, before you put it back', tag: 'checks', roles: ANY, ok: 200, produces: 'image/jpeg' },
  { method: 'post', path: '/api/checks/{id}/photos/{index}/regions/{face}/reveal', summary: 'Put back a place that may be a face, after confirming it is not a person (never a detected face)', tag: 'checks', roles: ANY, body: revealBody, ok: 200 },
  { method: 'get', path: '/api/checks/{id}/zip', summary: 'All safe copies of a check as a zip', tag: 'checks', roles: ANY, ok: 200, produces: 'application/zip' },
  { method: 'delete', path: '/api/checks/{id}', summary: 'Delete a check and its copies now', tag: 'checks', roles: ANY, ok: 204 },
  { method: 'post', path: '/api/videos', summary: 'Check a video clip (MP4/MOV) as a background job: 202 with its status; bad input 4xx at once', tag: 'videos', roles: ANY,
    multipart: { video: 'One clip (MP4 or MOV, H.264 or HEVC)', mode: 'standard | only_my_child', eventId: 'optional event id' }, ok: 202 },
  { method: 'get', path: '/api/videos', summary: 'Your recent video checks, newest first', tag: 'videos', roles: ANY, ok: 200 },
  { method: 'get', path: '/api/videos/{id}', summary: 'A video check: state, percent, seconds left; when done, per face only your child, visible or blurred', tag: 'videos', roles: ANY, ok: 200 },
  { method: 'get', path: '/api/videos/{id}/file', summary: 'The safe video (H.264 MP4, sound kept, metadata removed)', tag: 'videos', roles: ANY, ok: 200, produces: 'video/mp4' },
  { method: 'delete', path: '/api/videos/{id}', summary: 'Cancel a video check or delete its copy now', tag: 'videos', roles: ANY, ok: 204 },
];

const endpoints: Endpoint[] = [...coreEndpoints];

/** Features add their endpoints here at start-up. */
export function registerEndpoints(list: Endpoint[]): void {
  for (const e of list) if (!endpoints.some((x) => x.method === e.method && x.path === e.path)) endpoints.push(e);
}

export { ANY, STAFF, ADMIN };

const errorSchema = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, required: ['code', 'message'] } },
};

const jsonSchema = (s: ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });

export function openApiDocument(publicUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const e of endpoints) {
    const params = [...e.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = e.query ? Object.entries((jsonSchema(e.query) as { properties?: Record<string, unknown> }).properties ?? {})
      .map(([name, schema]) => ({ name, in: 'query', required: false, schema })) : [];
    const op: Record<string, unknown> = {
      summary: e.summary,
      tags: [e.tag],
      description: e.roles.length ? `Roles: ${e.roles.join(', ')}.` : 'Public.',
      parameters: [...params, ...query],
      security: e.roles.length ? [{ session: [] }, { bearer: [] }] : [],
      responses: {
        [e.ok]: { description: 'Success', ...(e.produces ? { content: { [e.produces]: {} } } : {}) },
        default: { description: 'Error', content: { 'application/json': { schema: errorSchema } } },
      },
    };
    if (e.body) op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(e.body) } } };
    if (e.multipart) {
      op.requestBody = { required: true, content: { 'multipart/form-data': { schema: {
        type: 'object', properties: Object.fromEntries(Object.entries(e.multipart).map(([k, v]) => [k, { type: 'string', description: v }])),
      } } } };
    }
    (paths[e.path] ??= {})[e.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'ShareSafe API', version: '0.1.0', description: 'Consent register, photo checks and video checks. Errors: { "error": { "code", "message" } }. Cookie sessions must send X-CSRF-Token on unsafe requests; API tokens (Authorization: Bearer) need none.' },
    servers: [{ url: publicUrl }],
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'ss_session' },
        bearer: { type: 'http', scheme: 'bearer' },
      },
    },
    paths,
  };
}
