import { Router, type Request, type Response } from 'express';
import { ZodError } from 'zod';
import type { AppContext } from '../../context';
import { badRequest, notFound } from '../../platform/errors';
import { idParam } from '../../platform/http';
import type { PersonRef, PositionInput } from '../../features/register/consents.service';
import { personRows } from './consent-view';
import { inviteParentForm, linkParentForm, namedPersonForm, positionsForm, pupilForm } from './forms';
import { renderLeaveConfirmation, renderPupilPage, type PupilPageState } from './pupil-page';
import { adminOnly, failedForm, formValues, plural, pupilName, redirectWithFlash, staffOnly } from './shared';

type FormKey = Exclude<keyof PupilPageState, 'referenceRejection' | 'consents'>;
const PERSON_KEY = /^(child|new|account-\d{1,9}|person-\d{1,9})$/;

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
  const anchors: Record<FormKey, string> = { details: 'details', link: 'guardians', invite: 'guardians' };

  r.get('/office/pupils/:id', adminOnly, (req, res) => {
    const id = pupilId(req);
    renderPupilPage(ctx, req, res, id);
    // The page shows each person's answers and their history: a read of a consent history.
    ctx.audit.record('consent_history.viewed', { actorId: actor(req), subjectType: 'pupil', subjectId: id });
  });

  r.post('/office/pupils/:id/details', adminOnly, (req, res) => submit(req, res, 'details', (v) => {
    const pupil = register.updatePupil(pupilId(req), pupilForm.parse(v), actor(req));
    return `${pupilName(pupil)}’s details were saved.`;
  }));

  // One person's form: only the answers that differ from what they said last are recorded.
  r.post('/office/pupils/:id/consents/:person', adminOnly, (req, res) => {
    const id = pupilId(req);
    const key = String(req.params.person);
    if (!PERSON_KEY.test(key)) throw notFound('person');
    if (key !== 'new' && !rowOf(id, key)) throw notFound('person');
    const values = formValues(req.body);
    let message: string;
    try {
      message = recordForm(id, key, values, actor(req));
    } catch (err) {
      return renderPupilPage(ctx, req, res, id, { consents: { [key]: failedForm(values, err) } }, 400);
    }
    redirectWithFlash(res, `/office/pupils/${id}#consents`, message);
  });

  function rowOf(id: number, key: string) {
    const d = register.pupilDetail(id);
    return personRows(d.people, d.guardians, d.positions).find((r) => r.key === key);
  }

  function recordForm(id: number, key: string, values: Record<string, string>, actorId: number): string {
    const form = positionsForm.parse(values);
    let who: PersonRef;
    let current: { photo: string; biometric: string } = { photo: 'withdrawn', biometric: 'withdrawn' };
    if (key === 'new') {
      const named = namedPersonForm.parse(values);
      who = { kind: 'named', name: named.name, relationship: named.relationship };
    } else {
      const row = rowOf(id, key);
      if (!row) throw notFound('person');
      current = { photo: row.photo?.position ?? 'withdrawn', biometric: row.biometric?.position ?? 'withdrawn' };
      who = key === 'child' ? { kind: 'child' } : key.startsWith('account-') ? { kind: 'parent_account', userId: Number(key.slice(8)) } : { personId: Number(key.slice(7)) };
    }
    const inputs: PositionInput[] = (['photo', 'biometric'] as const).filter((k) => form[k] !== current[k]).map((consent) => ({
      consent, position: form[consent], source: key === 'child' ? 'office' : form.source, givenOn: form.givenOn, shown: form.shown, note: form.note,
      reviewOn: consent === 'photo' && form.photo === 'consents' ? form.reviewOn : undefined,
    }));
    if (inputs.length === 0) throw badRequest('Nothing changed: these are already this person’s answers.');
    const results = register.recordPositions(id, who, inputs, actorId);
    const last = results[results.length - 1]!;
    const refs = results.reduce((n, r) => n + r.deletedReferences, 0);
    const checks = results.reduce((n, r) => n + r.deletedChecks, 0);
    return [
      `Saved. Photo sharing: ${last.state.photo.current ? 'allowed' : 'not allowed'}; face recognition: ${last.state.biometric.holds ? 'consent holds' : 'no consent'}.`,
      refs > 0 ? `${plural(refs, 'reference photo')} deleted.` : '',
      checks > 0 ? `${plural(checks, 'stored photo check')} showing this child deleted.` : '',
    ].filter(Boolean).join(' ');
  }

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
