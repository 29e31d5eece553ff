import { createTestWorld, signIn, type SignedIn, type TestWorld } from '../helpers/context';
import { importPupilsCsv } from '../../src/features/register/csv-import';
import { createPupil } from './factories';

let world: TestWorld;
let office: SignedIn;

beforeEach(async () => {
  world = createTestWorld();
  office = await signIn(world, 'admin');
});

const SIMS = [
  'UPN,Legal Surname,Legal Forename,Reg Group,NC Year,Gender,Contact 1 Email,Contact 1 Name,Contact 1 Parental Responsibility,Contact 2 Email,Contact 2 Parental Responsibility',
  'A12345678901B,Lovelace,Ada,4C,4,F,mum.lovelace@example.test,Anne Lovelace,T,,',
  'A12345678902C,Lovelace,Byron,2A,2,M,Mum.Lovelace@example.test,Anne Lovelace,T,dad.lovelace@example.test,T',
  ',Turing,Alan,3B,Year 3,M,,,,,',
].join('\r\n');

const upload = (csv: string | Buffer, query = '', type = 'text/csv') =>
  office.agent.post(`/api/imports/pupils${query}`).set('x-csrf-token', office.csrf)
    .attach('file', Buffer.isBuffer(csv) ? csv : Buffer.from(csv), { filename: 'pupils.csv', contentType: type });

const count = (table: string) => (world.ctx.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('CSV import', () => {
  test('when a SIMS export is imported, then pupils, parent accounts and links are created in one go', async () => {
    const res = await upload(SIMS).expect(201);
    expect(res.body).toMatchObject({
      dryRun: false, pupilsCreated: 3, pupilsUpdated: 0, parentsCreated: 2, linksAdded: 3, ignoredColumns: ['Gender'],
    });
    expect(res.body.rows[1]).toMatchObject({
      row: 3, action: 'create', upn: 'A12345678902C', firstName: 'Byron', yearGroup: 'Y2', className: '2A',
      contacts: [{ email: 'mum.lovelace@example.test', account: 'existing', link: 'new' }, { email: 'dad.lovelace@example.test', account: 'new', link: 'new' }],
    });
    const mum = world.ctx.accounts.repo.userByEmail('mum.lovelace@example.test')!.user;
    expect(mum).toMatchObject({ name: 'Anne Lovelace', role: 'parent', hasPassword: false });
    expect(world.ctx.register.childrenOf(mum.id).map((c) => c.firstName)).toEqual(['Ada', 'Byron']);
    const audit = world.ctx.audit.list({ action: 'pupils.imported' });
    expect(audit[0]!.details).toEqual({ pupilsCreated: 3, pupilsUpdated: 0, pupilsUnchanged: 0, parentsCreated: 2, linksAdded: 3, contactsToConfirm: 0 });
    // And per pupil and per link, by id (issue #12 item 9).
    expect(world.ctx.audit.list({ action: 'pupil.created' })).toHaveLength(3);
    expect(world.ctx.audit.list({ action: 'guardian.linked' }).map((e) => e.details.source)).toEqual(['import', 'import', 'import']);
  });

  test('when the same export comes again with changes, then pupils are matched by UPN, else by name and class', async () => {
    await upload(SIMS).expect(201);
    const next = [
      'Forename,Surname,Year Group,Class,UPN,Primary Contact Email',
      'Ada,Lovelace,5,5C,A12345678901B,mum.lovelace@example.test', // moved up a year: matched by UPN
      'Byron,Lovelace,Y2,2A,A12345678902C,',                       // unchanged
      'alan,TURING,3,3b,A12345678903D,',                           // matched by name+class, gains a UPN
    ].join('\n');
    const res = await upload(next).expect(201);
    expect(res.body).toMatchObject({ pupilsCreated: 0, pupilsUpdated: 2, pupilsUnchanged: 1, parentsCreated: 0, linksAdded: 0 });
    expect(count('pupils')).toBe(3);
    const alan = world.ctx.db.prepare("SELECT upn, first_name, class_name FROM pupils WHERE last_name = 'TURING' COLLATE NOCASE").get();
    expect(alan).toEqual({ upn: 'A12345678903D', first_name: 'alan', class_name: '3b' });
  });

  test('when it is a dry run, then the preview shows what would happen and nothing changes', async () => {
    const existing = await createPupil(office, { firstName: 'Alan', lastName: 'Turing', className: '3B', yearGroup: 'Y3' });
    const before = { pupils: count('pupils'), users: count('users'), guardians: count('guardians'), audit: count('audit_log') };
    const res = await upload(SIMS, '?dryRun=true').expect(200);
    expect(res.body).toMatchObject({ dryRun: true, pupilsCreated: 2, pupilsUpdated: 0, pupilsUnchanged: 1, parentsCreated: 2, linksAdded: 3 });
    expect(res.body.rows.map((r: { action: string; pupilId: number | null }) => [r.action, r.pupilId]))
      .toEqual([['create', null], ['create', null], ['unchanged', existing.id]]);
    expect({ pupils: count('pupils'), users: count('users'), guardians: count('guardians'), audit: count('audit_log') }).toEqual(before);
  });

  test('when rows are invalid, then nothing is imported and each problem names its row and column', async () => {
    const bad = [
      'UPN,Surname,Forename,Reg Group,Year,Contact 1 Email',
      'A12345678901B,Lovelace,Ada,4C,4,mum@example.test',
      'A12345678902C,Lovelace,,2A,2,not-an-email',
      ',Hopper,Grace,3B,Year 9,',
      'A12345678901B,Lovelace,Ada,4C,4,',
      'BAD,Turing,Alan,3B,3,',
    ].join('\n');
    const res = await upload(bad).expect(422);
    expect(res.body.error.code).toBe('csv_invalid');
    expect(res.body.error.rows).toEqual([
      { row: 3, column: 'Forename', message: 'A first name is required.' },
      { row: 3, column: 'Contact 1 Email', message: 'Enter a valid email address.' },
      { row: 4, column: 'Year', message: expect.stringMatching(/Unknown year group/) },
      { row: 5, column: 'UPN', message: 'The same pupil is already on row 2.' },
      { row: 6, column: 'UPN', message: expect.stringMatching(/UPN/) },
    ]);
    expect(count('pupils')).toBe(0);
    expect(count('users')).toBe(1); // only the office account
  });

  test('when a required column is missing, then the header row is reported', async () => {
    const res = await upload('Forename,Surname,Year\nAda,Lovelace,4\n').expect(422);
    expect(res.body.error.rows).toEqual([{ row: 1, column: 'Reg Group', message: expect.stringMatching(/No column/) }]);
  });

  test('when the file is not a CSV, then it is refused as an unsupported type', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    const res = await upload(png, '', 'text/csv').expect(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
    await upload(Buffer.from('PK\x03\x04xlsx-ish content'), '', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').expect(415);
    expect(count('pupils')).toBe(0);
  });

  test('when the export uses semicolons and Windows-1252, then names keep their accents', () => {
    const csv = Buffer.from('Forename;Surname;Year;Class\nZo\xEB;Br\xF6nte;R;RB\n', 'latin1');
    const result = importPupilsCsv(world.ctx, csv, { dryRun: false, actorId: null });
    expect(result.rows[0]).toMatchObject({ firstName: 'Zoë', lastName: 'Brönte', yearGroup: 'R', className: 'RB' });
  });

  test('when a parent or organiser uploads, then it is forbidden', async () => {
    const organiser = await signIn(world, 'organiser');
    await organiser.agent.post('/api/imports/pupils').set('x-csrf-token', organiser.csrf).attach('file', Buffer.from(SIMS), 'p.csv').expect(403);
  });
});
