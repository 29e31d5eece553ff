import type { SignedIn } from './context';

// Register steps through the API, as the school office would take them.
export async function addPupil(office: SignedIn, firstName: string, extra: Partial<{ className: string; yearGroup: string }> = {}): Promise<number> {
  const res = await office.agent.post('/api/pupils').set('x-csrf-token', office.csrf)
    .send({ firstName, lastName: 'Testpupil', className: extra.className ?? '3B', yearGroup: extra.yearGroup ?? 'Y3' }).expect(201);
  return (res.body.pupil?.id ?? res.body.id) as number;
}

export async function giveBiometricConsent(office: SignedIn, pupilId: number): Promise<void> {
  await office.agent.post(`/api/pupils/${pupilId}/biometric-consent`).set('x-csrf-token', office.csrf)
    .send({ parentConsent: true, parentObjection: false, childObjection: false, givenBy: 'Parent, paper form' }).expect(201);
}

export async function setPhotoConsent(office: SignedIn, pupilId: number, status: 'granted' | 'refused' | 'not_asked', reviewOn?: string): Promise<void> {
  await office.agent.post(`/api/pupils/${pupilId}/photo-consent`).set('x-csrf-token', office.csrf)
    .send({ status, givenBy: 'Parent, paper form', ...(reviewOn ? { reviewOn } : {}) }).expect(201);
}

export async function enrol(office: SignedIn, pupilId: number, photo: Buffer) {
  return office.agent.post(`/api/pupils/${pupilId}/references`).set('x-csrf-token', office.csrf)
    .attach('photo', photo, { filename: 'reference.jpg', contentType: 'image/jpeg' });
}

export async function linkParent(office: SignedIn, pupilId: number, parentId: number): Promise<void> {
  await office.agent.post(`/api/pupils/${pupilId}/guardians`).set('x-csrf-token', office.csrf).send({ userId: parentId }).expect(201);
}
