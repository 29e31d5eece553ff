import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context';
import { currentUser } from '../features/accounts/auth.middleware';
import type { ConsentKind } from '../features/register/consent-rules';
import { consentWording } from '../features/register/consent-wording';
import type { ChildConsentView, ParentAnswer } from '../features/register/parent-consents.service';
import { idParam } from '../platform/http';
import { requirePageUser } from './auth-pages';
import { formatDate, html } from './html';
import { csrfField, layout } from './layout';

// Online consent for parents: each of their own children, what each consent means, whether it is
// in effect, and their own answer, which they can give, refuse or withdraw. Nothing here says who
// else answered or how: a parent sees only their own position and the resulting state.

const consentParam = z.enum(['photo', 'biometric']);
const answerForm = z.object({
  answer: z.enum(['consents', 'objects', 'withdrawn'], { message: 'Choose an answer.' }),
  wordingVersion: z.string().max(64).default(''),
});
const savedQuery = z.object({ saved: z.string().regex(/^\d{1,9}-(photo|biometric)$/).optional() });

const day = (iso: string | null) => formatDate(iso);

function yourAnswer(answer: ParentAnswer, on: string | null, reviewOn: string | null) {
  if (answer === 'consents') return `You gave consent on ${day(on)}${reviewOn ? `, to be reviewed by ${day(reviewOn)}` : ''}.`;
  if (answer === 'objects') return `You refused on ${day(on)}.`;
  return 'You have not answered (or you withdrew your answer).';
}

export function consentPages(ctx: AppContext): Router {
  const { register } = ctx;
  const r = Router();

  function consentCard(req: Request, child: ChildConsentView, consent: ConsentKind, error?: string) {
    const w = consentWording(consent, child.pupil.firstName);
    const mine = consent === 'photo' ? child.photo : child.biometric;
    const reviewOn = consent === 'photo' ? child.photo.yourReviewOn : null;
    const id = `c-${child.pupil.id}-${consent}`;
    const effect = consent === 'photo'
      ? (mine.inEffect ? `${child.pupil.firstName} may stay visible in other parents’ photos.` : `${child.pupil.firstName} is blurred in other parents’ photos.`)
      : (mine.inEffect ? `ShareSafe may recognise ${child.pupil.firstName}.` : `ShareSafe does not recognise ${child.pupil.firstName}.`);
    return html`<section class="consent-block" id="${id}" aria-labelledby="${id}-title">
<h3 id="${id}-title">${w.title}</h3>
${w.paragraphs.map((p) => html`<p>${p}</p>`)}
<p><strong>Now:</strong> <span class="badge ${mine.inEffect ? 'badge-ok' : 'badge-neutral'}" data-state="${mine.inEffect ? 'in_effect' : 'not_in_effect'}">${mine.inEffect ? 'In effect' : 'Not in effect'}</span> ${effect}</p>
<p data-your-answer="${mine.yourAnswer}"><strong>Your answer:</strong> ${yourAnswer(mine.yourAnswer, mine.yourAnsweredOn, reviewOn)}</p>
${error ? html`<div class="alert alert-error" role="alert"><p>${error}</p></div>` : null}
<form method="post" action="/consents/${child.pupil.id}/${consent}" class="form">
${csrfField(req)}
<input type="hidden" name="wordingVersion" value="${w.version}">
<fieldset class="field radios"><legend>Your answer</legend>
<div class="choice"><input type="radio" id="${id}-consents" name="answer" value="consents"${mine.yourAnswer === 'consents' ? html` checked` : null}><label for="${id}-consents">${w.consentLabel}</label></div>
<div class="choice"><input type="radio" id="${id}-objects" name="answer" value="objects"${mine.yourAnswer === 'objects' ? html` checked` : null}><label for="${id}-objects">${w.refuseLabel}</label></div>
${mine.yourAnswer === 'none' ? null : html`<div class="choice"><input type="radio" id="${id}-withdrawn" name="answer" value="withdrawn"><label for="${id}-withdrawn">Withdraw my answer (I no longer give or refuse this consent)</label></div>`}
</fieldset>
<button type="submit" class="button">Save my answer</button>
</form>
</section>`;
  }

  function page(req: Request, res: Response, o: { flash?: string; error?: { pupilId: number; consent: ConsentKind; message: string }; status?: number } = {}) {
    const children = register.myConsents(currentUser(req).id);
    const errorFor = (pupilId: number, consent: ConsentKind) =>
      o.error && o.error.pupilId === pupilId && o.error.consent === consent ? o.error.message : undefined;
    const body = html`<h1>Consent for your children</h1>
<p class="lead">Here you give, refuse or withdraw your own consent. Your answer is yours alone: it does not change what anyone else
with parental responsibility said, and the school needs every “no” to be respected.</p>
${children.length === 0 ? html`<div class="card"><p>No children are linked to your account yet. Please ask the school office.</p></div>`
    : children.map((child) => html`<section class="card" id="child-${child.pupil.id}" aria-labelledby="child-${child.pupil.id}-name">
<h2 id="child-${child.pupil.id}-name">${child.pupil.firstName} ${child.pupil.lastName}</h2>
${consentCard(req, child, 'photo', errorFor(child.pupil.id, 'photo'))}
${consentCard(req, child, 'biometric', errorFor(child.pupil.id, 'biometric'))}
</section>`)}`;
    res.status(o.status ?? 200).type('html').set('Cache-Control', 'no-store')
      .send(layout(req, { title: 'Consent', body, flash: o.flash }));
  }

  r.get('/consents', requirePageUser, (req, res) => {
    const saved = savedQuery.safeParse(req.query).data?.saved;
    page(req, res, { flash: saved ? 'Your answer is saved.' : undefined });
  });

  r.post('/consents/:pupilId/:consent', requirePageUser, (req, res) => {
    const pupilId = idParam.parse(req.params.pupilId);
    const consent = consentParam.parse(req.params.consent);
    const form = answerForm.safeParse(req.body ?? {});
    if (!form.success) return page(req, res, { error: { pupilId, consent, message: 'Choose an answer, then save.' }, status: 400 });
    try {
      register.recordMyPosition(currentUser(req).id, pupilId, consent, form.data.answer, form.data.wordingVersion);
    } catch (err) {
      if ((err as { code?: string }).code !== 'wording_changed') throw err;
      return page(req, res, { error: { pupilId, consent, message: (err as Error).message }, status: 409 });
    }
    res.redirect(303, `/consents?saved=${pupilId}-${consent}#c-${pupilId}-${consent}`);
  });

  return r;
}
