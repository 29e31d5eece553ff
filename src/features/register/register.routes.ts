import { Router } from 'express';
import type { AppContext } from '../../context';
import { idParam } from '../../platform/http';
import { currentUser, requireRole, requireUser } from '../accounts/auth.middleware';
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

  r.get('/pupils', staff, (req, res) => {
    const rows = register.listPupils(s.listPupilsQuery.parse(req.query));
    res.json({ pupils: rows.map(present.presentRegisterRow), total: rows.length });
  });

  r.post('/pupils', admin, (req, res) => {
    const pupil = register.createPupil(s.createPupilBody.parse(req.body), currentUser(req).id);
    res.status(201).json({ pupil: present.presentPupil(pupil) });
  });

  r.get('/pupils/:id', staff, (req, res) => {
    res.json(present.presentPupilDetail(register.pupilDetail(idParam.parse(req.params.id))));
  });

  r.patch('/pupils/:id', admin, (req, res) => {
    const pupil = register.updatePupil(idParam.parse(req.params.id), s.updatePupilBody.parse(req.body), currentUser(req).id);
    res.json({ pupil: present.presentPupil(pupil) });
  });

  r.post('/pupils/:id/leave', admin, (req, res) => {
    const { pupil, deletedReferences } = register.leave(idParam.parse(req.params.id), currentUser(req).id);
    res.json({ pupil: present.presentPupil(pupil), deletedReferences });
  });

  r.get('/classes', staff, (_req, res) => {
    res.json({ classes: register.classes() });
  });

  r.get('/register/summary', staff, (_req, res) => {
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

  r.post('/pupils/:id/photo-consent', admin, (req, res) => {
    const pupilId = idParam.parse(req.params.id);
    const consent = register.recordPhotoConsent(pupilId, s.photoConsentBody.parse(req.body), currentUser(req).id);
    const current = register.photoConsentCurrent([pupilId]).get(pupilId) ?? false;
    res.status(201).json({ photoConsent: present.presentPhotoConsent(consent), current });
  });

  r.post('/pupils/:id/no-lookalike-sibling', admin, (req, res) => {
    const pupilId = idParam.parse(req.params.id);
    const pupil = register.confirmNoLookalikeSibling(pupilId, s.noLookalikeSiblingBody.parse(req.body).confirmed, currentUser(req).id);
    res.json({ pupil: present.presentPupil(pupil), unenrolledSiblings: register.unenrolledSiblingIds(pupilId).length });
  });

  r.post('/pupils/:id/biometric-consent', admin, (req, res) => {
    const recorded = register.recordBiometricConsent(idParam.parse(req.params.id), s.biometricConsentBody.parse(req.body), currentUser(req).id);
    res.status(201).json({
      biometricConsent: present.presentBiometricConsent(recorded.consent), holds: recorded.holds, deletedReferences: recorded.deletedReferences,
    });
  });

  return r;
}
