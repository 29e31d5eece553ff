// Reading a school MIS export (SIMS, Arbor, Bromcom...): one row per pupil, headers spelt many
// ways. Headers are compared with case, spaces and punctuation removed; unknown columns are
// ignored, because exports carry dozens of columns we have no business reading.

export type PupilColumn = 'upn' | 'firstName' | 'lastName' | 'yearGroup' | 'className';

/** Aliases in order of preference: "Legal Forename" beats "Forename" when both are present. */
const PUPIL_ALIASES: Record<PupilColumn, string[]> = {
  upn: ['upn', 'uniquepupilnumber'],
  firstName: ['legalforename', 'forename', 'firstname', 'givenname'],
  lastName: ['legalsurname', 'surname', 'lastname', 'familyname'],
  yearGroup: ['yeargroup', 'ncyear', 'year', 'nationalcurriculumyear'],
  className: ['reggroup', 'registrationgroup', 'class', 'classname', 'form', 'formgroup'],
};

export const REQUIRED_COLUMNS: PupilColumn[] = ['firstName', 'lastName', 'yearGroup', 'className'];
export const COLUMN_LABELS: Record<PupilColumn, string> = {
  upn: 'UPN', firstName: 'Forename', lastName: 'Surname', yearGroup: 'Year', className: 'Reg Group',
};

const ORDINAL: Record<string, number> = { primary: 1, secondary: 2 };
// Parental responsibility: SIMS exports "Parental Responsibility" (T/F) per contact; Arbor calls a
// person with it a "Legal Guardian" (Primary Guardian is about who gets letters, not the law);
// others write "Has Parental Responsibility" or "PR".
const CONTACT = /^(?:(contact|parent|guardian)(\d)|(primary|secondary)contact)(email|emailaddress|name|fullname|relationship|relation|parentalresponsibility|hasparentalresponsibility|legalguardian|pr)$/;

export interface ContactColumns {
  n: number;
  email?: number;
  name?: number;
  relationship?: number;
  /** The contact's parental-responsibility flag. */
  responsibility?: number;
}

export interface ColumnMap {
  pupil: Partial<Record<PupilColumn, number>>;
  contacts: ContactColumns[];
  headers: string[];
  ignored: string[];
}

export const normaliseHeader = (h: string) => h.toLowerCase().replace(/[^a-z0-9]/g, '');

export function mapColumns(headers: string[]): ColumnMap {
  const norm = headers.map(normaliseHeader);
  const used = new Set<number>();
  const pupil: ColumnMap['pupil'] = {};
  for (const [column, aliases] of Object.entries(PUPIL_ALIASES) as [PupilColumn, string[]][]) {
    for (const alias of aliases) {
      const i = norm.indexOf(alias);
      if (i >= 0 && !used.has(i)) {
        pupil[column] = i;
        used.add(i);
        break;
      }
    }
  }
  const contacts = new Map<number, ContactColumns>();
  norm.forEach((h, i) => {
    const m = CONTACT.exec(h);
    if (!m || used.has(i)) return;
    const n = m[2] ? Number(m[2]) : ORDINAL[m[3]!]!;
    const entry = contacts.get(n) ?? { n };
    const field = m[4]!;
    const kind = field.startsWith('email') ? 'email' : field.startsWith('relat') ? 'relationship'
      : /responsibility|legalguardian|^pr$/.test(field) ? 'responsibility' : 'name';
    if (entry[kind] === undefined) {
      entry[kind] = i;
      used.add(i);
    }
    contacts.set(n, entry);
  });
  return {
    pupil,
    contacts: [...contacts.values()].filter((c) => c.email !== undefined).sort((a, b) => a.n - b.n),
    headers,
    ignored: headers.filter((_, i) => !used.has(i) && headers[i]!.trim() !== ''),
  };
}

/** Guesses the delimiter from the header line: MIS exports in some locales use ; or tabs. */
export function sniffDelimiter(text: string): string {
  const end = text.indexOf('\n');
  const firstLine = end < 0 ? text : text.slice(0, end);
  const counts = [',', ';', '\t'].map((d) => [d, firstLine.split(d).length] as const);
  return counts.reduce((best, c) => (c[1] > best[1] ? c : best))[0];
}

/** Text of an uploaded CSV, or null when it is plainly not text (an image, a zip-based .xlsx, a
 *  PDF). UTF-8 first; otherwise Windows-1252, which older SIMS exports use for names like Zoë. */
export function decodeCsv(bytes: Buffer): string | null {
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) return null;
  const magic = head.subarray(0, 4).toString('latin1');
  if (magic.startsWith('PK') || magic.startsWith('%PDF') || magic.startsWith('\x89PNG') || magic.startsWith('\xFF\xD8')) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}
