import { Router } from 'express';
import type { AppContext } from '../../context';
import { notFound } from '../../platform/errors';
import { idParam } from '../../platform/http';
import { currentUser, requireRole, requireUser } from '../accounts/auth.middleware';
import { REVIEW_WINDOW_DAYS } from './consent-reviews.service';
import { registerOpenApi } from './register.openapi';
import * as present from './register.presenter';
import * as s from './register.schemas';

const staff = requireRole('admin', 'organiser');
// Organisers read the register; only the office (admin) changes it or records consent.
const admin = requireRole('admin');

/** Pupils, parents and consents. */
export function registerRoutes(ctx: AppContext): Router {
  const { register } = ctx;
  const r = Router();
  registerOpenApi();

  // Organisers see the pupils of their own events only: name, class and consent state.
  const visibleTo = (req: import('express').Request): ((pupilId: number) => boolean) => {
    const user = currentUser(req);
    if (user.role === 'admin') return () => true;
    const ids = new Set(ctx.events.list(user).flatMap((e) => [...ctx.events.participantIds(e.id)]));
    return (id) => ids.has(id);
  };

  r.get('/pupils', staff, (req, res) => {
    const visible = visibleTo(req);
    const rows = register.listPupils(s.listPupilsQuery.parse(req.query)).filter((row) => visible(row.pupil.id));
    res.json({ pupils: rows.map(present.presentRegisterRow), total: rows.length });
  });

  r.post('/pupils', admin, (req, res) => {
    const pupil = register.createPupil(s.createPupilBody.parse(req.body), currentUser(req).id);
    res.status(201).json({ pupil: present.presentPupil(pupil) });
  });

  r.get('/pupils/:id', staff, (req, res) => {
    const id = idParam.parse(req.params.id);
    if (currentUser(req).role === 'admin') return res.json(present.presentPupilDetail(register.pupilDetail(id)));
    if (!visibleTo(req)(id)) throw notFound('pupil');
    const detail = register.pupilDetail(id);
    res.json(present.presentPupilForOrganiser(detail));
  });

  r.patch('/pupils/:id', admin, (req, res) => {
    const pupil = register.updatePupil(idParam.parse(req.params.id), s.updatePupilBody.parse(req.body), currentUser(req).id);
    res.json({ pupil: present.presentPupil(pupil) });
  });

  r.post('/pupils/:id/leave', admin, (req, res) => {
    const { pupil, deletedReferences } = register.leave(idParam.parse(req.params.id), currentUser(req).id);
    res.json({ pupil: present.presentPupil(pupil), deletedReferences });
  });

  r.delete('/pupils/:id', admin, (req, res) => {
    res.json(register.erasePupil(idParam.parse(req.params.id), currentUser(req).id, 'office'));
  });

  r.get('/classes', staff, (_req, res) => {
    res.json({ classes: register.classes() });
  });

  r.get('/register/summary', admin, (_req, res) => {
    res.json(register.summary());
  });

  r.post('/pupils/:id/guardians', admin, async (req, res) => {
    const added = await register.addGuardian(idParam.parse(req.params.id), s.addGuardianBody.parse(req.body), currentUser(req).id);
    res.status(201).json({ guardian: present.presentGuardian(added.guardian), invitationUrl: added.invitationUrl });
  });

  r.delete('/pupils/:id/guardians/:userId', admin, (req, res) => {
    register.removeGuardian(idParam.parse(req.params.id), idParam.parse(req.params.userId), currentUser(req).id);
    res.status(204).end();
  });

  r.get('/me/children', requireUser, (req, res) => {
    res.json({ children: register.childrenOfParent(currentUser(req).id).map(present.presentChild) });
  });

  // The old snapshot forms: recorded as the named person's position (see consents.service).
  r.post('/pupils/:id/photo-consent', admin, (req, res) => {
    const pupilId = idParam.parse(req.params.id);
    const consent = register.recordPhotoConsent(pupilId, s.photoConsentBody.parse(req.body), currentUser(req).id);
    const current = register.photoConsentCurrent([pupilId]).get(pupilId) ?? false;
    res.status(201).json({ photoConsent: consent, current });
  });

  r.post('/pupils/:id/no-lookalike-sibling', admin, (req, res) => {
    const pupilId = idParam.parse(req.params.id);
    const pupil = register.confirmNoLookalikeSibling(pupilId, s.noLookalikeSiblingBody.parse(req.body).confirmed, currentUser(req).id);
    res.json({ pupil: present.presentPupil(pupil), unenrolledSiblings: register.unenrolledSiblingIds(pupilId).length });
  });

  r.post('/pupils/:id/biometric-consent', admin, (req, res) => {
    const recorded = register.recordBiometricConsent(idParam.parse(req.params.id), s.biometricConsentBody.parse(req.body), currentUser(req).id);
    res.status(201).json({ biometricConsent: recorded.consent, holds: recorded.holds, deletedReferences: recorded.deletedReferences });
  });

  r.get('/pupils/:id/consents', admin, (req, res) => {
    const pupilId = idParam.parse(req.params.id);
    const { people, history } = register.consentPositions(pupilId);
    ctx.audit.record('consent_history.viewed', { actorId: currentUser(req).id, subjectType: 'pupil', subjectId: pupilId });
    res.json({
      ...present.presentConsentState(register.consentState(pupilId)),
      people: people.map((p) => ({ ...present.presentPerson(p.person), photo: p.photo && present.presentPosition(p.photo), biometric: p.biometric && present.presentPosition(p.biometric) })),
      positions: history.map(present.presentPosition),
    });
  });

  r.post('/pupils/:id/consent-positions', admin, (req, res) => {
    const body = s.positionBody.parse(req.body);
    const { person, ...input } = body;
    const r = register.recordPosition(idParam.parse(req.params.id), person, input, currentUser(req).id);
    res.status(201).json({
      position: present.presentPosition(r.position), person: present.presentPerson(r.person), ...present.presentConsentState(r.state),
      deletedReferences: r.deletedReferences, deletedChecks: r.deletedChecks,
    });
  });

  // A parent's own children and their own answers; never anyone else's.
  r.get('/me/consents', requireUser, (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ wording: present.presentWordingVersions(), children: register.myConsents(currentUser(req).id) });
  });

  r.post('/me/children/:id/consents/:consent', requireUser, (req, res) => {
    const consent = s.consentKind.parse(req.params.consent);
    const body = s.myPositionBody.parse(req.body);
    res.json({ child: register.recordMyPosition(currentUser(req).id, idParam.parse(req.params.id), consent, body.answer, body.wordingVersion) });
  });

  r.get('/consent-reviews', admin, (_req, res) => {
    const recipients = register.reviewRecipients();
    res.json({ windowDays: REVIEW_WINDOW_DAYS, recipients, total: recipients.length });
  });

  r.post('/consent-reviews/send', admin, async (req, res) => {
    const { expectedRecipients } = s.sendReviewsBody.parse(req.body);
    res.json(await register.sendReviewReminders(expectedRecipients, currentUser(req).id));
  });

  return r;
}
