import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { Clock } from '../../platform/clock';
import type { Db } from '../../platform/db';
import { AppError, unsupportedMediaType } from '../../platform/errors';
import { email } from '../accounts/accounts.schemas';
import type { AccountsService } from '../accounts/accounts.service';
import type { Audit } from '../audit/audit.service';
import { COLUMN_LABELS, decodeCsv, mapColumns, REQUIRED_COLUMNS, sniffDelimiter, type ColumnMap, type PupilColumn } from './csv-columns';
import { pupilsRepo, type PupilFields } from './pupils.repo';
import { upn, yearGroup } from './register.schemas';

export interface ImportDeps {
  db: Db;
  clock: Clock;
  audit: Audit;
  accounts: AccountsService;
}

export interface RowError {
  row: number;
  column: string;
  message: string;
}

export interface RowPreview extends PupilFields {
  row: number;
  action: 'create' | 'update' | 'unchanged';
  pupilId: number | null;
  /** Contacts without parental responsibility are not linked: `link: 'to_confirm'`. */
  contacts: { email: string; account: 'new' | 'existing' | 'none'; link: 'new' | 'existing' | 'to_confirm' }[];
}

export interface ImportResult {
  dryRun: boolean;
  pupilsCreated: number;
  pupilsUpdated: number;
  pupilsUnchanged: number;
  parentsCreated: number;
  linksAdded: number;
  /** Contacts listed for the office to confirm (no parental-responsibility flag). */
  contactsToConfirm: number;
  /** False when the file has no parental-responsibility column: every contact waits for the office. */
  responsibilityColumn: boolean;
  ignoredColumns: string[];
  rows: RowPreview[];
}

const MAX_ROWS = 5000;
const YES = new Set(['yes', 'y', 'true', 't', '1', 'x', 'parental responsibility', 'legal guardian']);
const NO = new Set(['', 'no', 'n', 'false', 'f', '0']);
const blankToNull = (v: string) => v.trim() || null;

const rowSchema = z.object({
  upn: z.string().transform(blankToNull).pipe(upn.nullable()),
  firstName: z.string().trim().min(1, 'A first name is required.').max(100),
  lastName: z.string().trim().min(1, 'A surname is required.').max(100),
  yearGroup,
  className: z.string().trim().min(1, 'A class is required.').max(50),
  contacts: z.array(z.object({
    email,
    name: z.string().transform(blankToNull).pipe(z.string().max(200).nullable()),
    relationship: z.string().transform(blankToNull).pipe(z.string().max(50).nullable()),
    responsibility: z.string().trim().toLowerCase().refine((v) => YES.has(v) || NO.has(v), 'Use Yes or No (or T/F) for parental responsibility.')
      .transform((v) => YES.has(v)),
  })),
});
type ValidRow = z.output<typeof rowSchema> & { row: number };

export const csvInvalid = (errors: RowError[]) =>
  new AppError('csv_invalid', 422,
    `Nothing was imported: ${errors.length} problem${errors.length === 1 ? '' : 's'} in the file. ` +
    errors.slice(0, 3).map((e) => `Row ${e.row}, ${e.column}: ${e.message}`).join(' '), errors, { rows: errors });

/** Imports (or, with dryRun, previews) a MIS export: every row in one transaction, or none. */
export function importPupilsCsv(d: ImportDeps, input: Buffer | string, opts: { dryRun: boolean; actorId: number | null }): ImportResult {
  const text = typeof input === 'string' ? input : decodeCsv(input);
  if (text === null) throw unsupportedMediaType('That file is not a CSV. Export the pupil list from your MIS as CSV (comma-separated) and upload that.');
  const { map, records } = readCsv(text);
  const rows = validateRows(map, records);
  const result = applyRows(d, map, rows, opts);
  return result;
}

function readCsv(text: string): { map: ColumnMap; records: { line: number; cells: string[] }[] } {
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    // With info: true each record comes as { record, info }; the typings do not model that.
    parsed = parse(text, { bom: true, delimiter: sniffDelimiter(text), info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as typeof parsed;
  } catch (err) {
    const line = (err as { lines?: number }).lines ?? 1;
    throw csvInvalid([{ row: line, column: '', message: `The file is not valid CSV (${(err as Error).message.split(':')[0]}).` }]);
  }
  const [header, ...body] = parsed;
  if (!header) throw csvInvalid([{ row: 1, column: '', message: 'The file is empty.' }]);
  const map = mapColumns(header.record);
  const missing = REQUIRED_COLUMNS.filter((c) => map.pupil[c] === undefined);
  if (missing.length) {
    throw csvInvalid(missing.map((c) => ({ row: header.info.lines, column: COLUMN_LABELS[c], message: 'No column for this was found in the header row.' })));
  }
  const records = body.filter((r) => r.record.some((c) => c.trim() !== '')).map((r) => ({ line: r.info.lines, cells: r.record }));
  if (records.length > MAX_ROWS) throw csvInvalid([{ row: 1, column: '', message: `At most ${MAX_ROWS} pupils per import.` }]);
  return { map, records };
}

function validateRows(map: ColumnMap, records: { line: number; cells: string[] }[]): ValidRow[] {
  const errors: RowError[] = [];
  const valid: ValidRow[] = [];
  const seenUpn = new Map<string, number>();
  const seenName = new Map<string, number>();
  for (const { line, cells } of records) {
    const cell = (i: number | undefined) => (i === undefined ? '' : (cells[i] ?? ''));
    const contactCols = map.contacts.filter((c) => cell(c.email).trim() !== '');
    const raw = {
      ...Object.fromEntries((Object.keys(COLUMN_LABELS) as PupilColumn[]).map((k) => [k, cell(map.pupil[k])])),
      contacts: contactCols.map((c) => ({ email: cell(c.email), name: cell(c.name), relationship: cell(c.relationship), responsibility: cell(c.responsibility) })),
    };
    const parsed = rowSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const [field, index] = issue.path;
        const col = field === 'contacts' ? contactCols[index as number]?.email : map.pupil[field as PupilColumn];
        errors.push({ row: line, column: col === undefined ? String(field) : map.headers[col]!, message: issue.message });
      }
      continue;
    }
    const row = { ...parsed.data, row: line };
    const nameKey = `${row.firstName}|${row.lastName}|${row.className}`.toLowerCase();
    const dupOf = row.upn ? seenUpn.get(row.upn) : seenName.get(nameKey);
    if (dupOf !== undefined) {
      const column = row.upn ? map.headers[map.pupil.upn!]! : map.headers[map.pupil.firstName!]!;
      errors.push({ row: line, column, message: `The same pupil is already on row ${dupOf}.` });
      continue;
    }
    if (row.upn) seenUpn.set(row.upn, line);
    else seenName.set(nameKey, line);
    valid.push(row);
  }
  if (errors.length) throw csvInvalid(errors);
  return valid;
}

class DryRunRollback extends Error {}

function applyRows(d: ImportDeps, map: ColumnMap, rows: ValidRow[], opts: { dryRun: boolean; actorId: number | null }): ImportResult {
  const pupils = pupilsRepo(d.db);
  const now = d.clock.now().toISOString();
  const result: ImportResult = {
    dryRun: opts.dryRun, pupilsCreated: 0, pupilsUpdated: 0, pupilsUnchanged: 0, parentsCreated: 0, linksAdded: 0,
    contactsToConfirm: 0, responsibilityColumn: map.contacts.some((c) => c.responsibility !== undefined),
    ignoredColumns: map.ignored, rows: [],
  };
  const toConfirm = d.db.prepare(`INSERT OR IGNORE INTO import_contacts (pupil_id, email, name, relationship, created_at)
    VALUES (?, ?, ?, ?, ?)`);
  const confirmedByFile = d.db.prepare('DELETE FROM import_contacts WHERE pupil_id = ? AND email = ?');
  const run = d.db.transaction(() => {
    for (const row of rows) {
      const fields: PupilFields = { upn: row.upn, firstName: row.firstName, lastName: row.lastName, className: row.className, yearGroup: row.yearGroup };
      const { pupilId, action } = upsertPupil(pupils, fields, now);
      result[action === 'create' ? 'pupilsCreated' : action === 'update' ? 'pupilsUpdated' : 'pupilsUnchanged'] += 1;
      // Audited per pupil and per link, ids only (a whole-file count says nothing about a child).
      if (action !== 'unchanged') d.audit.record(action === 'create' ? 'pupil.created' : 'pupil.updated', { actorId: opts.actorId, subjectType: 'pupil', subjectId: pupilId, details: { source: 'import' } });
      const contacts = row.contacts.map((c) => {
        const existing = d.accounts.repo.userByEmail(c.email)?.user;
        // A contact is a parent only with parental responsibility: the others wait for the office.
        if (!c.responsibility) {
          const alreadyLinked = existing ? pupils.guardiansOf(pupilId).some((g) => g.userId === existing.id) : false;
          if (alreadyLinked) return { email: c.email, account: 'existing' as const, link: 'existing' as const };
          if (toConfirm.run(pupilId, c.email, c.name, c.relationship, now).changes === 1) result.contactsToConfirm += 1;
          return { email: c.email, account: existing ? 'existing' as const : 'none' as const, link: 'to_confirm' as const };
        }
        const userId = existing?.id
          ?? d.accounts.createUserRecord({ email: c.email, name: c.name ?? c.email, role: 'parent' }, opts.actorId).user.id;
        if (!existing) result.parentsCreated += 1;
        confirmedByFile.run(pupilId, c.email);
        const linked = pupils.link(userId, pupilId, c.relationship ?? 'parent', now);
        if (linked) {
          result.linksAdded += 1;
          d.audit.record('guardian.linked', { actorId: opts.actorId, subjectType: 'pupil', subjectId: pupilId, details: { userId, accountCreated: !existing, source: 'import' } });
        }
        return { email: c.email, account: existing ? 'existing' as const : 'new' as const, link: linked ? 'new' as const : 'existing' as const };
      });
      result.rows.push({ row: row.row, action, pupilId: opts.dryRun && action === 'create' ? null : pupilId, ...fields, contacts });
    }
    if (opts.dryRun) throw new DryRunRollback();
    const { rows: _rows, ignoredColumns: _ignored, dryRun: _dry, responsibilityColumn: _pr, ...counts } = result;
    d.audit.record('pupils.imported', { actorId: opts.actorId, subjectType: 'pupil', details: counts });
  });
  try {
    run();
  } catch (err) {
    // A dry run does every write a real import would, then rolls back: the preview cannot drift.
    if (!(err instanceof DryRunRollback)) throw err;
  }
  return result;
}

/** Matched by UPN; else by name and class, unless the match has a different UPN (another child). */
function upsertPupil(pupils: ReturnType<typeof pupilsRepo>, f: PupilFields, now: string) {
  const byUpn = f.upn ? pupils.byUpn(f.upn) : undefined;
  const byName = byUpn ? undefined : pupils.byNameAndClass(f.firstName, f.lastName, f.className);
  const match = byUpn ?? (byName && (!f.upn || !byName.upn) ? byName : undefined);
  if (!match) return { pupilId: pupils.insert(f, now), action: 'create' as const };
  const next = { ...f, upn: f.upn ?? match.upn };
  const same = next.upn === match.upn && next.firstName === match.firstName && next.lastName === match.lastName
    && next.className === match.className && next.yearGroup === match.yearGroup;
  if (!same) pupils.update(match.id, next, now);
  return { pupilId: match.id, action: same ? 'unchanged' as const : 'update' as const };
}
