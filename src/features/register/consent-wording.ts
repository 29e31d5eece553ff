import { createHash } from 'node:crypto';
import type { ConsentKind } from './consent-rules';

// What a parent is shown before giving, refusing or withdrawing consent online. The version is a
// hash of the wording, stored with every online position and in the audit trail, so the school
// can show exactly what someone agreed to. Change the words and the version changes with them.

export interface ConsentWording {
  title: string;
  paragraphs: string[];
  consentLabel: string;
  refuseLabel: string;
}

const WORDING: Record<ConsentKind, ConsentWording> = {
  photo: {
    title: 'Sharing photos that show {child}',
    paragraphs: [
      'If you agree, {child} may stay visible in photos that other parents take at school events and share. ShareSafe checks each photo before it is shared and leaves {child} visible only while consent is in effect.',
      'If you refuse, {child}’s face is blurred in every other parent’s photo. You still see {child} in your own photos.',
      'If any parent with parental responsibility, or {child}, says no, {child} is blurred: one “no” is enough. Your answer is reviewed after a year, and you can change it here at any time.',
    ],
    consentLabel: 'I agree: {child} may be shown in photos other parents share',
    refuseLabel: 'I refuse: blur {child} in other parents’ photos',
  },
  biometric: {
    title: 'Face recognition for {child}',
    paragraphs: [
      'If you agree, the school keeps reference photos of {child} and ShareSafe turns them into face templates (biometric data) so it can recognise {child} in event photos. Templates are encrypted, used for nothing else, and deleted when {child} leaves.',
      'If you refuse, no templates are kept, and any that exist are deleted at once. ShareSafe then never recognises {child}: their face is blurred in every photo, your own included.',
      'The school needs one parent’s written consent, and stops if any parent or {child} objects (Protection of Freedoms Act 2012, sections 26 and 27). Giving consent here is your written consent; you can withdraw it here at any time.',
    ],
    consentLabel: 'I consent in writing to face recognition for {child}',
    refuseLabel: 'I object: do not use face recognition for {child}',
  },
};

const versionOf = (w: ConsentWording) =>
  `${createHash('sha256').update(JSON.stringify(w)).digest('hex').slice(0, 16)}`;

export const WORDING_VERSION: Record<ConsentKind, string> = { photo: versionOf(WORDING.photo), biometric: versionOf(WORDING.biometric) };

/** The wording for one child, with their first name filled in. */
export function consentWording(consent: ConsentKind, childFirstName: string): ConsentWording & { version: string } {
  const fill = (s: string) => s.replaceAll('{child}', childFirstName);
  const w = WORDING[consent];
  return {
    title: fill(w.title), paragraphs: w.paragraphs.map(fill), consentLabel: fill(w.consentLabel), refuseLabel: fill(w.refuseLabel),
    version: WORDING_VERSION[consent],
  };
}
