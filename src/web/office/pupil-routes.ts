import { Router, type Request, type Response } from 'express';
import { ZodError } from 'zod';
import type { AppContext } from '../../context';
import { idParam } from '../../platform/http';
import { biometricConsentForm, inviteParentForm, linkParentForm, photoConsentForm, pupilForm } from './forms';
import { renderLeaveConfirmation, renderPupilPage, type PupilPageState } from './pupil-page';
import { adminOnly, failedForm, formValues, plural, pupilName, redirectWithFlash, staffOnly } from './shared';

type FormKey = Exclude<keyof PupilPageState, 'referenceRejection'>;

/** The pupil page and its forms; every change is admin-only and ends in a redirect with a flash. */
export function pupilRoutes(ctx: AppContext): Router {
  const { register } = ctx;
  const r = Router();
  const pupilId = (req: Request) => idParam.parse(req.params.id);
  const actor = (req: Request) => req.auth!.user.id;

  /** Runs a change; a refused form re-renders the pupil page with the form's messages. */
  async function submit(req: Request, res: Response, key: FormKey, change: (values: Record<string, string>) => Promise<string> | string) {
    const id = pupilId(req);
    const values = formValues(req.body);
    let message: string;
    try {
      message = await change(values);
    } catch (err) {
      return renderPupilPage(ctx, req, res, id, { [key]: failedForm(values, err) }, 400);
    }
    redirectWithFlash(res, `/office/pupils/${id}#${anchors[key]}`, message);
  }
  const anchors: Record<FormKey, string> = { details: 'details', photo: 'photo-consent', biometric: 'biometric-consent', link: 'guardians', invite: 'guardians' };

  r.get('/office/pupils/:id', staffOnly, (req, res) => renderPupilPage(ctx, req, res, pupilId(req)));

  r.post('/office/pupils/:id/details', adminOnly, (req, res) => submit(req, res, 'details', (v) => {
    const pupil = register.updatePupil(pupilId(req), pupilForm.parse(v), actor(req));
    return `${pupilName(pupil)}’s details were saved.`;
  }));

  r.post('/office/pupils/:id/photo-consent', adminOnly, (req, res) => submit(req, res, 'photo', (v) => {
    const input = photoConsentForm.parse(v);
    const id = pupilId(req);
    const consent = register.recordPhotoConsent(id, input, actor(req));
    const current = register.photoConsentCurrent([id]).get(id) ?? false;
    if (consent.status === 'granted') {
      return current ? `Photo consent granted, to be reviewed by ${consent.reviewOn}.` : 'Photo consent recorded, but its review date has passed: it does not count.';
    }
    return consent.status === 'refused' ? 'Photo consent refused: this child’s face will be blurred.' : 'Photo consent recorded as not asked.';
  }));

  r.post('/office/pupils/:id/biometric-consent', adminOnly, (req, res) => submit(req, res, 'biometric', (v) => {
    const result = register.recordBiometricConsent(pupilId(req), biometricConsentForm.parse(v), actor(req));
    if (result.holds) return 'Biometric consent recorded: reference photos may be added.';
    const deleted = result.deletedReferences > 0 ? ` ${plural(result.deletedReferences, 'reference photo')} deleted.` : '';
    return `Biometric consent recorded: it does not hold, so this child cannot be recognised.${deleted}`;
  }));

  r.post('/office/pupils/:id/guardians/link', adminOnly, (req, res) => submit(req, res, 'link', async (v) => {
    const input = linkParentForm.parse(v);
    const found = ctx.accounts.repo.userByEmail(input.email);
    if (!found) throw linkError('No account has this email address. Use “Invite a new parent” instead.');
    await register.addGuardian(pupilId(req), { userId: found.user.id, relationship: input.relationship }, actor(req));
    return `${found.user.name} is now linked.`;
  }));

  r.post('/office/pupils/:id/guardians/invite', adminOnly, (req, res) => submit(req, res, 'invite', async (v) => {
    const input = inviteParentForm.parse(v);
    const added = await register.addGuardian(pupilId(req), { ...input, sendInvitation: true }, actor(req));
    return added.invitationUrl ? `Invitation sent to ${input.email}; they are linked to this pupil.`
      : `${input.email} already had an account; they are now linked to this pupil.`;
  }));

  r.post('/office/pupils/:id/guardians/:userId/remove', adminOnly, (req, res) => {
    const id = pupilId(req);
    const userId = idParam.parse(req.params.userId);
    const name = ctx.accounts.repo.userById(userId)?.name ?? 'That parent';
    register.removeGuardian(id, userId, actor(req));
    redirectWithFlash(res, `/office/pupils/${id}#guardians`, `${name} is no longer linked to this pupil.`);
  });

  r.post('/office/pupils/:id/no-lookalike-sibling', adminOnly, (req, res) => {
    const confirmed = formValues(req.body).confirmed === 'yes';
    const pupil = register.confirmNoLookalikeSibling(pupilId(req), confirmed, actor(req));
    redirectWithFlash(res, `/office/pupils/${pupil.id}#lookalike-sibling`, confirmed
      ? `Confirmed: no brother or sister looks like ${pupil.firstName}.`
      : `Confirmation withdrawn: ${pupil.firstName} is blurred for other parents while a sibling cannot be recognised.`);
  });

  r.get('/office/pupils/:id/leave', adminOnly, (req, res) => renderLeaveConfirmation(ctx, req, res, pupilId(req)));

  r.post('/office/pupils/:id/leave', adminOnly, (req, res) => {
    const { pupil, deletedReferences } = register.leave(pupilId(req), actor(req));
    const deleted = deletedReferences > 0 ? ` ${plural(deletedReferences, 'reference photo')} deleted.` : '';
    redirectWithFlash(res, `/office/pupils/${pupil.id}`, `${pupilName(pupil)} is marked as left.${deleted}`);
  });

  return r;
}

/** A refusal shown on the link form's email field. */
const linkError = (message: string) => new ZodError([{ code: 'custom', path: ['email'], message, input: undefined }]);
