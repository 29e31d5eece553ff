import { ADMIN, ANY, registerEndpoints, STAFF, type Endpoint } from '../../openapi';
import { auditQuery } from '../audit/audit.schemas';
import * as s from './register.schemas';

const tag = 'register';

const endpoints: Endpoint[] = [
  { method: 'get', path: '/api/pupils', summary: 'List pupils with consent state (search and filters); organisers: the pupils of their events only', tag, roles: STAFF, query: s.listPupilsQuery, ok: 200 },
  { method: 'post', path: '/api/pupils', summary: 'Add a pupil', tag, roles: ADMIN, body: s.createPupilBody, ok: 201 },
  { method: 'get', path: '/api/pupils/{id}', summary: 'A pupil with guardians, consent histories and references', tag, roles: STAFF, ok: 200 },
  { method: 'patch', path: '/api/pupils/{id}', summary: 'Change a pupil', tag, roles: ADMIN, body: s.updatePupilBody, ok: 200 },
  { method: 'post', path: '/api/pupils/{id}/leave', summary: 'Mark a pupil as left; deletes their reference faces', tag, roles: ADMIN, ok: 200 },
  { method: 'delete', path: '/api/pupils/{id}', summary: 'Erase a pupil now: record, consents, reference faces and parent links', tag, roles: ADMIN, ok: 200 },
  { method: 'get', path: '/api/classes', summary: 'Classes and year groups on roll', tag, roles: STAFF, ok: 200 },
  { method: 'get', path: '/api/register/summary', summary: 'Dashboard counts', tag, roles: ADMIN, ok: 200 },
  { method: 'post', path: '/api/pupils/{id}/guardians', summary: 'Link a parent (existing account, or email + name to invite one)', tag, roles: ADMIN, body: s.addGuardianBody, ok: 201 },
  { method: 'delete', path: '/api/pupils/{id}/guardians/{userId}', summary: 'Unlink a parent', tag, roles: ADMIN, ok: 204 },
  { method: 'get', path: '/api/me/children', summary: 'Your own children', tag, roles: ANY, ok: 200 },
  { method: 'post', path: '/api/pupils/{id}/photo-consent', summary: 'Record photo-sharing consent as the named person\'s position (older form; see consent-positions)', tag, roles: ADMIN, body: s.photoConsentBody, ok: 201 },
  { method: 'post', path: '/api/pupils/{id}/biometric-consent', summary: 'Record biometric consent as the named person\'s position, plus the child\'s objection when ticked; deletes references when it stops holding', tag, roles: ADMIN, body: s.biometricConsentBody, ok: 201 },
  { method: 'get', path: '/api/pupils/{id}/consents', summary: 'Each person\'s photo and biometric position, the resulting state and the history (each read is audited)', tag, roles: ADMIN, ok: 200 },
  { method: 'post', path: '/api/pupils/{id}/consent-positions', summary: 'Record one person\'s position (child, parent account, or a person named on a paper form); append-only', tag, roles: ADMIN, body: s.positionBody, ok: 201 },
  { method: 'get', path: '/api/me/consents', summary: 'Your own children: whether each consent is in effect, and your own answer', tag, roles: ANY, ok: 200 },
  { method: 'post', path: '/api/me/children/{id}/consents/{consent}', summary: 'Give, refuse or withdraw your own consent online (consent: photo or biometric)', tag, roles: ANY, body: s.myPositionBody, ok: 200 },
  { method: 'get', path: '/api/consent-reviews', summary: 'Parents to ask to review their consent (review date within 30 days, or no answer)', tag, roles: ADMIN, ok: 200 },
  { method: 'post', path: '/api/consent-reviews/send', summary: 'E-mail those parents a link to the online form (send the count you confirmed)', tag, roles: ADMIN, body: s.sendReviewsBody, ok: 200 },
  { method: 'post', path: '/api/pupils/{id}/no-lookalike-sibling', summary: 'Confirm (or withdraw) that no brother or sister looks like this pupil', tag, roles: ADMIN, body: s.noLookalikeSiblingBody, ok: 200 },
  { method: 'post', path: '/api/pupils/{id}/references', summary: 'Enrol a reference photo (needs biometric consent)', tag, roles: ADMIN,
    multipart: { photo: 'A photo showing only this pupil, face at least 100 px wide' }, ok: 201 },
  { method: 'get', path: '/api/pupils/{id}/references/{refId}/thumbnail', summary: 'A reference thumbnail', tag, roles: ADMIN, ok: 200, produces: 'image/jpeg' },
  { method: 'delete', path: '/api/pupils/{id}/references/{refId}', summary: 'Delete a reference photo', tag, roles: ADMIN, ok: 204 },
  { method: 'post', path: '/api/imports/pupils', summary: 'Import a MIS CSV export (?dryRun=true previews); all rows or none', tag, roles: ADMIN,
    query: s.importQuery, multipart: { file: 'CSV: UPN, Forename, Surname, Year, Reg Group, Contact N Email/Name' }, ok: 201 },
  { method: 'get', path: '/api/audit', summary: 'The audit trail, newest first', tag: 'audit', roles: ADMIN, query: auditQuery, ok: 200 },
];

export const registerOpenApi = () => registerEndpoints(endpoints);
