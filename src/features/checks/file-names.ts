// The safe copy keeps the photo's own name, so a parent finds it next to the original:
// "IMG_1234.HEIC" becomes "IMG_1234-safe.jpg". Only letters, digits, dot, dash and underscore
// survive (no path, no control or quote characters for the Content-Disposition header or a zip).

const MAX_STEM = 60;

/** A safe, unique (within `used`) file name for the copy of the photo at `index`. */
export function safeCopyName(originalName: string | undefined, index: number, used: Set<string>): string {
  const base = (originalName ?? '').split(/[\\/]/).pop() ?? '';
  const stem = base.replace(/\.[^.]*$/, '')
    .normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-._]+|[-._]+$/g, '').replace(/-{2,}/g, '-')
    .slice(0, MAX_STEM).replace(/[-._]+$/, '');
  const first = `${stem || `photo-${index + 1}`}-safe`;
  let name = `${first}.jpg`;
  for (let n = 2; used.has(name.toLowerCase()); n += 1) name = `${first}-${n}.jpg`;
  used.add(name.toLowerCase());
  return name;
}
