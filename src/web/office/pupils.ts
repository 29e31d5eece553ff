import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../context';
import type { RegisterRow } from '../../features/register/pupils.service';
import { listPupilsQuery } from '../../features/register/register.schemas';
import { html } from '../html';
import { csrfField } from '../layout';
import { errorSummary, selectField, textField } from './fields';
import { pupilForm, YEAR_GROUP_OPTIONS } from './forms';
import {
  adminOnly, biometricBadge, emptyForm, failedForm, formatDate, formValues, isAdmin, photoBadge, pupilName,
  redirectWithFlash, sendPage, staffOnly, type FormState,
} from './shared';

const FILTERS = ['q', 'class', 'yearGroup', 'status', 'photoConsent', 'biometric', 'reviewDue', 'enrolled'] as const;

/** The pupil list with its filters (a GET form, so a filtered list can be bookmarked) and the add form. */
export function pupilsPages(ctx: AppContext): Router {
  const r = Router();

  r.get('/office/pupils', adminOnly, (req, res) => {
    const values: Record<string, string> = {};
    for (const k of FILTERS) {
      const v = req.query[k];
      if (typeof v === 'string' && v.trim() !== '') values[k] = v.trim();
    }
    const parsed = listPupilsQuery.safeParse(values);
    const form: FormState = { values, errors: {} };
    if (!parsed.success) for (const i of parsed.error.issues) form.errors[String(i.path[0])] = i.message;
    const rows = parsed.success ? ctx.register.listPupils(parsed.data) : [];
    const filtered = FILTERS.some((k) => k !== 'status' && values[k]);

    const classes = ctx.register.classes();
    const body = html`<div class="office-heading"><h1>Pupils</h1>
${isAdmin(req) ? html`<a class="button" href="/office/pupils/new">Add a pupil</a>` : null}</div>
<form class="office-filters" method="get" action="/office/pupils" role="search" aria-label="Find pupils">
${textField({ form, name: 'q', label: 'Name or UPN', type: 'search' })}
${selectField({ form, name: 'class', label: 'Class', options: [['', 'All classes'], ...classes.map((c): [string, string] => [c.className, c.className])] })}
${selectField({ form, name: 'yearGroup', label: 'Year group', options: [['', 'All years'], ...YEAR_GROUP_OPTIONS] })}
${selectField({ form, name: 'photoConsent', label: 'Photo consent', options: [['', 'Any'], ['granted', 'Granted'], ['refused', 'Refused'], ['not_asked', 'Not asked'], ['expired', 'Expired']] })}
${selectField({ form, name: 'biometric', label: 'Biometric consent', options: [['', 'Any'], ['holds', 'Holds'], ['not', 'Does not hold']] })}
${selectField({ form, name: 'enrolled', label: 'Reference photo', options: [['', 'Any'], ['yes', 'Has one'], ['no', 'None']] })}
${textField({ form, name: 'reviewDue', label: 'Review due before', type: 'date' })}
${selectField({ form, name: 'status', label: 'On roll', options: [['on_roll', 'On roll'], ['left', 'Left'], ['all', 'All']] })}
<div class="office-filter-actions"><button type="submit" class="button">Filter</button> ${filtered ? html`<a href="/office/pupils">Clear filters</a>` : null}</div>
</form>
<p class="office-count" role="status">${rows.length === 1 ? '1 pupil' : `${rows.length} pupils`}${filtered ? ' match' : ''}.</p>
${rows.length ? pupilTable(rows) : html`<p class="empty">No pupils match these filters.</p>`}`;
    sendPage(req, res, { title: 'Pupils', body, wide: true, status: parsed.success ? 200 : 400 });
  });

  r.get('/office/pupils/new', adminOnly, (req, res) => renderNew(req, res, emptyForm()));

  r.post('/office/pupils', adminOnly, (req, res) => {
    const values = formValues(req.body);
    let pupil;
    try {
      const fields = pupilForm.parse(values);
      // Same name and class as a pupil on roll: most likely entered twice (the register keeps no
      // date of birth to tell them apart), so the office confirms before a second record is made.
      const same = ctx.register.listPupils({ q: fields.firstName, class: fields.className, status: 'on_roll' })
        .filter((r) => r.pupil.firstName.toLowerCase() === fields.firstName.toLowerCase() && r.pupil.lastName.toLowerCase() === fields.lastName.toLowerCase());
      if (same.length > 0 && values.addAnyway !== 'yes') {
        return renderNew(req, res, { values, errors: {} }, 409, { id: same[0]!.pupil.id, name: pupilName(same[0]!.pupil), className: same[0]!.pupil.className });
      }
      pupil = ctx.register.createPupil(fields, req.auth!.user.id);
    } catch (err) {
      return renderNew(req, res, failedForm(values, err), 400);
    }
    redirectWithFlash(res, `/office/pupils/${pupil.id}`, `${pupilName(pupil)} was added. Record their consents below.`);
  });

  return r;
}

function pupilTable(rows: RegisterRow[]) {
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="Pupils"><table class="office-pupils">
<thead><tr><th scope="col">Name</th><th scope="col">Class</th><th scope="col">Year</th><th scope="col">Photo consent</th>
<th scope="col">Review by</th><th scope="col">Biometric</th><th scope="col">Reference photos</th></tr></thead>
<tbody>
${rows.map((row) => html`<tr${row.pupil.status === 'left' ? html` class="office-left"` : null}>
<td><a href="/office/pupils/${row.pupil.id}">${row.pupil.lastName}, ${row.pupil.firstName}</a>${row.pupil.status === 'left' ? html` <span class="badge">Left</span>` : null}</td>
<td>${row.pupil.className}</td>
<td>${row.pupil.yearGroup}</td>
<td>${photoBadge(row.photoState)}</td>
<td>${row.photo.state === 'granted' ? formatDate(row.photo.reviewOn) : ''}</td>
<td>${biometricBadge(row.biometricHolds)}</td>
<td>${row.references > 0 ? row.references : html`<span class="muted">None</span>`}</td>
</tr>`)}
</tbody></table></div>`;
}

/** The pupil fields, shared by the add form and the edit form on the pupil page. */
export function pupilFields(form: FormState, idPrefix: string) {
  return html`<div class="office-field-row">
${textField({ form, idPrefix, name: 'firstName', label: 'First name', required: true, max: 100 })}
${textField({ form, idPrefix, name: 'lastName', label: 'Surname', required: true, max: 100 })}
</div>
<div class="office-field-row">
${textField({ form, idPrefix, name: 'className', label: 'Class', required: true, hint: 'As in the MIS, for example 3B.', max: 50 })}
${selectField({ form, idPrefix, name: 'yearGroup', label: 'Year group', options: [['', 'Choose…'], ...YEAR_GROUP_OPTIONS] })}
</div>
${textField({ form, idPrefix, name: 'upn', label: 'UPN', optional: true, hint: 'Unique pupil number: a letter and 12 more characters. Lets the MIS import recognise this pupil.', max: 13 })}`;
}

function renderNew(req: Request, res: Response, form: FormState, status = 200, duplicate?: { id: number; name: string; className: string }) {
  const body = html`<p class="breadcrumbs"><a href="/office/pupils">Pupils</a></p>
<h1>Add a pupil</h1>
<form class="card office-form" method="post" action="/office/pupils" novalidate>
${csrfField(req)}
${errorSummary(form)}
${duplicate ? html`<div class="alert alert-warn" role="alert" id="duplicate-pupil"><p><strong>There is already a pupil called <a href="/office/pupils/${duplicate.id}">${duplicate.name}</a> in ${duplicate.className}.</strong> If this is the same child, do not add them again.</p>
<div class="choice"><input type="checkbox" id="add-anyway" name="addAnyway" value="yes"><label for="add-anyway">This is a different child with the same name: add them anyway</label></div></div>` : null}
${pupilFields(form, 'new')}
<div class="actions"><button type="submit" class="button">Add pupil</button> <a href="/office/pupils">Cancel</a></div>
</form>`;
  sendPage(req, res, { title: 'Add a pupil', body, status });
}
