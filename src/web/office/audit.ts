import { Router } from 'express';
import type { AppContext } from '../../context';
import { auditQuery } from '../../features/audit/audit.schemas';
import { html } from '../html';
import { ACTION_LABELS, auditTable, SUBJECT_TYPES } from './audit-view';
import { selectField, textField } from './fields';
import { adminOnly, sendPage, type FormState } from './shared';

const PAGE_SIZE = 50;
const FILTERS = ['action', 'subjectType', 'from', 'to'] as const;

/** The audit trail, newest first, as the API's GET /audit: admin only. */
export function auditPage(ctx: AppContext): Router {
  const r = Router();

  r.get('/office/audit', adminOnly, (req, res) => {
    const values: Record<string, string> = {};
    for (const k of [...FILTERS, 'beforeId']) {
      const v = req.query[k];
      if (typeof v === 'string' && v.trim() !== '') values[k] = v.trim();
    }
    const parsed = auditQuery.safeParse({ ...values, limit: PAGE_SIZE });
    const form: FormState = { values, errors: {} };
    if (!parsed.success) {
      for (const issue of parsed.error.issues) form.errors[String(issue.path[0])] = 'Use a date like 2026-09-01.';
    }
    const entries = parsed.success ? ctx.audit.list(parsed.data) : [];
    const filterQuery = new URLSearchParams(FILTERS.filter((k) => values[k]).map((k) => [k, values[k]!]));
    const older = entries.length === PAGE_SIZE
      ? `/office/audit?${new URLSearchParams([...filterQuery, ['beforeId', String(entries[entries.length - 1]!.id)]])}` : null;
    const newest = values.beforeId ? `/office/audit${filterQuery.size ? `?${filterQuery}` : ''}` : null;

    const body = html`<h1>Audit trail</h1>
<p class="lead">Every change to the register and every account event, newest first. Entries are kept and cannot be edited.</p>
<form class="office-filters" method="get" action="/office/audit" role="search">
${selectField({ form, name: 'action', label: 'What', options: [['', 'Anything'], ...Object.entries(ACTION_LABELS).sort((a, b) => a[1].localeCompare(b[1]))] })}
${selectField({ form, name: 'subjectType', label: 'About', options: [['', 'Anything'], ...SUBJECT_TYPES] })}
${textField({ form, name: 'from', label: 'From', type: 'date' })}
${textField({ form, name: 'to', label: 'To', type: 'date' })}
<div class="office-filter-actions"><button type="submit" class="button">Filter</button> <a href="/office/audit">Clear</a></div>
</form>
${entries.length ? auditTable(ctx, entries) : html`<p class="empty">No entries match.</p>`}
<nav class="office-pager" aria-label="Audit pages">
${newest ? html`<a href="${newest}">Newest entries</a>` : null}
${older ? html`<a href="${older}">Older entries</a>` : null}
</nav>`;
    sendPage(req, res, { title: 'Audit trail', body, wide: true, status: parsed.success ? 200 : 400 });
  });

  return r;
}
