import { Router, type Request, type Response } from 'express';
import multer from 'multer';
import type { AppContext } from '../../context';
import type { ImportResult, RowError } from '../../features/register/csv-import';
import { decodeCsv } from '../../features/register/csv-columns';
import { AppError } from '../../platform/errors';
import { idParam, readUpload } from '../../platform/http';
import { html } from '../html';
import { csrfField } from '../layout';
import { importDrafts } from './import-drafts';
import { adminOnly, isAdmin, plural, redirectWithFlash, sendPage, staffOnly } from './shared';

const CSV_MAX_MB = 5;
const PREVIEW_ROWS = 300;
const ACTION_LABEL = { create: 'Add', update: 'Update', unchanged: 'No change' } as const;

/** The MIS import: upload -> dry-run preview -> "Import now" (the CSV waits server-side). */
export function importPages(ctx: AppContext): Router {
  const r = Router();
  const drafts = importDrafts(ctx.clock);
  const upload = readUpload(multer({ storage: multer.memoryStorage(), limits: { fileSize: CSV_MAX_MB * 1024 * 1024, files: 1 } }).single('file'));

  r.get('/office/import', adminOnly, (req, res) => renderUpload(req, res, undefined, 200, ctx));

  r.post('/office/import/preview', adminOnly,
    (req, res, next) => upload(req, res, (err: unknown) => {
      if (!err) return next();
      if (err instanceof multer.MulterError) return renderUpload(req, res, err.code === 'LIMIT_FILE_SIZE' ? `The file is larger than ${CSV_MAX_MB} MB.` : `The upload was refused: ${err.message}.`, 400);
      if (err instanceof AppError && err.status < 500) return renderUpload(req, res, err.message, err.status);
      next(err);
    }),
    (req, res) => {
      if (!req.file || req.file.size === 0) return renderUpload(req, res, 'Choose the CSV file exported from your MIS first.', 400);
      const text = decodeCsv(req.file.buffer);
      if (text === null) return renderUpload(req, res, 'That file is not a CSV. Export the pupil list from your MIS as CSV (comma-separated) and upload that.', 415);
      const filename = req.file.originalname.slice(0, 200);
      const outcome = runImport(ctx, req, text, true);
      if ('errors' in outcome) return renderPreview(req, res, { filename, errors: outcome.errors, message: outcome.message }, 422);
      const draftId = drafts.save(req.auth!.user.id, filename, text);
      renderPreview(req, res, { filename, result: outcome.result, draftId });
    });

  r.post('/office/import/commit', adminOnly, (req, res) => {
    const draftId = String((req.body as Record<string, unknown> | undefined)?.draftId ?? '');
    const draft = drafts.get(draftId, req.auth!.user.id);
    if (!draft) return renderUpload(req, res, 'This preview has expired. Upload the file again.', 410);
    const outcome = runImport(ctx, req, draft.text, false);
    if ('errors' in outcome) return renderPreview(req, res, { filename: draft.filename, errors: outcome.errors, message: outcome.message }, 422);
    drafts.discard(draftId);
    const x = outcome.result;
    const uninvited = ctx.accounts.uninvitedParents().length;
    redirectWithFlash(res, x.contactsToConfirm ? '/office/import#to-confirm' : '/office/parents',
      `Imported ${draft.filename}: ${plural(x.pupilsCreated, 'pupil')} added, ${x.pupilsUpdated} updated, ${x.pupilsUnchanged} unchanged; ` +
      `${plural(x.parentsCreated, 'parent account')} created, ${plural(x.linksAdded, 'parent link')} added` +
      `${x.contactsToConfirm ? `; ${plural(x.contactsToConfirm, 'contact')} without parental responsibility to confirm` : ''}.` +
      `${uninvited ? ` ${plural(uninvited, 'parent')} not invited yet: use “Invite all new parents” on the Parents page.` : ''}`);
  });

  r.post('/office/import/contacts/:id/confirm', adminOnly, (req, res) => {
    ctx.register.confirmImportContact(idParam.parse(req.params.id), req.auth!.user.id);
    redirectWithFlash(res, '/office/import#to-confirm', 'Linked as a parent with parental responsibility (not invited yet).');
  });

  r.post('/office/import/contacts/:id/dismiss', adminOnly, (req, res) => {
    ctx.register.dismissImportContact(idParam.parse(req.params.id), req.auth!.user.id);
    redirectWithFlash(res, '/office/import#to-confirm', 'Dismissed: that contact is not linked.');
  });

  return r;
}

type Outcome = { result: ImportResult } | { errors: RowError[]; message: string };

function runImport(ctx: AppContext, req: Request, text: string, dryRun: boolean): Outcome {
  try {
    return { result: ctx.register.importCsv(text, { dryRun, actorId: req.auth!.user.id }) };
  } catch (err) {
    if (err instanceof AppError && err.code === 'csv_invalid') {
      const errors = (err.details as RowError[] | undefined) ?? [];
      return { errors, message: `Fix ${errors.length === 1 ? 'this problem' : `these ${errors.length} problems`} in the file and upload it again.` };
    }
    if (err instanceof AppError && err.status < 500) return { errors: [], message: err.message };
    throw err; // a full disk (SQLITE_FULL) becomes the error page's "The disk is full"

  }
}

function toConfirmSection(req: Request, ctx: AppContext) {
  const contacts = ctx.register.importContactsToConfirm();
  if (!contacts.length) return null;
  return html`<section class="card office-section" id="to-confirm" aria-labelledby="to-confirm-heading">
<h2 id="to-confirm-heading">Contacts to confirm (${contacts.length})</h2>
<p>The MIS did not mark these contacts as having parental responsibility, so they are not linked. Link a contact only if they have it.</p>
<div class="table-wrap"><table class="office-to-confirm"><thead><tr><th scope="col">Pupil</th><th scope="col">Contact</th><th scope="col">Relationship</th><th scope="col">Decision</th></tr></thead>
<tbody>${contacts.map((c) => html`<tr><td><a href="/office/pupils/${c.pupilId}">${c.pupilName}</a> (${c.className})</td><td>${c.name ?? ''} ${c.email}</td><td>${c.relationship ?? ''}</td>
<td><form method="post" action="/office/import/contacts/${c.id}/confirm" class="inline-form">${csrfField(req)}<button type="submit" class="button button-small">Has parental responsibility: link</button></form>
<form method="post" action="/office/import/contacts/${c.id}/dismiss" class="inline-form">${csrfField(req)}<button type="submit" class="button button-small button-secondary">Dismiss</button></form></td></tr>`)}</tbody></table></div>
</section>`;
}

function renderUpload(req: Request, res: Response, error?: string, status = 200, ctx?: AppContext) {
  const body = html`<h1>Import pupils from the MIS</h1>
<p class="lead">Export the pupil list from SIMS, Arbor, Bromcom or another MIS as a CSV file. You will see what would change before anything is imported.</p>
<div class="card office-form">
<p>The first row must name the columns. Needed: <strong>Forename</strong>, <strong>Surname</strong>, <strong>Year</strong> and <strong>Reg Group</strong> (class).
Optional: <strong>UPN</strong>, and contacts as <strong>Contact 1 Email</strong>, <strong>Contact 1 Name</strong>, <strong>Contact 1 Relationship</strong> and <strong>Contact 1 Parental Responsibility</strong> (Yes/No; Arbor: <strong>Legal Guardian</strong>), then Contact 2 ….
Only contacts with parental responsibility become parents; the others are listed here for you to confirm.
Other columns are ignored. Pupils are matched by UPN, or by name and class. Consents are never changed by an import.</p>
${error ? html`<div class="alert alert-error" role="alert">${error}</div>` : null}
${isAdmin(req) ? html`<form method="post" enctype="multipart/form-data" action="/office/import/preview">
${csrfField(req)}
<div class="field"><label for="import-file">CSV file</label>
<input id="import-file" name="file" type="file" accept=".csv,text/csv" required></div>
<div class="actions"><button type="submit" class="button">Preview import</button></div>
</form>` : html`<p class="alert alert-info">Only the school office (an admin) can import pupils.</p>`}
</div>
${ctx ? toConfirmSection(req, ctx) : null}`;
  sendPage(req, res, { title: 'Import pupils', body, status });
}

function renderPreview(req: Request, res: Response, p: { filename: string; result?: ImportResult; draftId?: string; errors?: RowError[]; message?: string }, status = 200) {
  const x = p.result;
  const body = html`<p class="breadcrumbs"><a href="/office/import">Import</a></p>
<h1>Preview: ${p.filename}</h1>
${p.errors ? html`<div class="alert alert-error" role="alert"><p><strong>Nothing was imported.</strong> ${p.message}</p></div>
${p.errors.length ? html`<div class="table-wrap" tabindex="0" role="region" aria-label="Problems in the file"><table class="office-import-errors"><caption>Problems in the file</caption>
<thead><tr><th scope="col">Row</th><th scope="col">Column</th><th scope="col">Problem</th></tr></thead>
<tbody>${p.errors.map((e) => html`<tr><td>${e.row}</td><td>${e.column}</td><td>${e.message}</td></tr>`)}</tbody></table></div>` : null}
<p><a class="button" href="/office/import">Upload a corrected file</a></p>` : null}
${x ? html`<ul class="office-tiles office-tiles-small">
<li><span class="office-tile office-tile-info"><span class="office-tile-count">${x.pupilsCreated}</span> <span class="office-tile-label">pupils to add</span></span></li>
<li><span class="office-tile office-tile-info"><span class="office-tile-count">${x.pupilsUpdated}</span> <span class="office-tile-label">pupils to update</span></span></li>
<li><span class="office-tile office-tile-none"><span class="office-tile-count">${x.pupilsUnchanged}</span> <span class="office-tile-label">unchanged</span></span></li>
<li><span class="office-tile office-tile-info"><span class="office-tile-count">${x.parentsCreated}</span> <span class="office-tile-label">parent accounts to create</span></span></li>
<li><span class="office-tile office-tile-info"><span class="office-tile-count">${x.linksAdded}</span> <span class="office-tile-label">parent links to add</span></span></li>
<li><span class="office-tile office-tile-${x.contactsToConfirm ? 'warn' : 'none'}"><span class="office-tile-count">${x.contactsToConfirm}</span> <span class="office-tile-label">contacts without parental responsibility, for you to confirm</span></span></li>
</ul>
${x.responsibilityColumn ? null : html`<p class="alert alert-info">The file has no parental-responsibility column, so no contact is linked as a parent: each is listed for you to confirm.</p>`}
${x.ignoredColumns.length ? html`<p class="muted">Ignored columns: ${x.ignoredColumns.join(', ')}.</p>` : null}
${x.parentsCreated ? html`<p>New parent accounts are created without an email; invite them all at once from the Parents page when you are ready.</p>` : null}
<form method="post" action="/office/import/commit" class="office-confirm">
${csrfField(req)}
<input type="hidden" name="draftId" value="${p.draftId}">
<div class="actions"><button type="submit" class="button">Import now</button> <a href="/office/import">Cancel</a></div>
</form>
<div class="table-wrap" tabindex="0" role="region" aria-label="What each row will do"><table class="office-import-rows"><caption>What each row will do</caption>
<thead><tr><th scope="col">Row</th><th scope="col">Change</th><th scope="col">Pupil</th><th scope="col">Class</th><th scope="col">Year</th><th scope="col">UPN</th><th scope="col">Contacts</th></tr></thead>
<tbody>${x.rows.slice(0, PREVIEW_ROWS).map((row) => html`<tr class="office-row-${row.action}"><td>${row.row}</td><td>${ACTION_LABEL[row.action]}</td>
<td>${row.firstName} ${row.lastName}</td><td>${row.className}</td><td>${row.yearGroup}</td><td>${row.upn ?? ''}</td>
<td>${row.contacts.map((c) => html`<span class="office-contact">${c.email}${c.account === 'new' ? ' (new account)' : ''}${c.link === 'new' ? ', new link' : c.link === 'to_confirm' ? ', to confirm' : ''}</span> `)}</td></tr>`)}</tbody>
</table></div>
${x.rows.length > PREVIEW_ROWS ? html`<p class="muted">… and ${x.rows.length - PREVIEW_ROWS} more rows.</p>` : null}` : null}`;
  sendPage(req, res, { title: 'Import preview', body, status, wide: true });
}
