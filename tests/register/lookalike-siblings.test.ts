import { createTestWorld, signIn } from '../helpers/context';
import { auditActions, biometric, createPupil, insertFakeReference, post } from './factories';

// Which matched pupils the check must treat as "may be their twin" (blurred for other parents):
// those sharing a parent with a pupil who cannot be recognised, unless the office confirmed
// that no sibling looks like them. Real register through the API; references without the engine.

type Sibling = 'none' | 'enrolled' | 'not enrolled' | 'enrolled, biometric consent withdrawn' | 'left';

test.each<[Sibling, boolean, boolean]>([
  ['none', false, false],
  ['enrolled', false, false],
  ['not enrolled', false, true],
  ['not enrolled', true, false],
  ['enrolled, biometric consent withdrawn', false, true],
  ['left', false, true],
])('when the sibling is %s and the office confirmed no look-alike: %p, then "may be a sibling" is %p', async (sibling, confirmed, unsure) => {
  const world = createTestWorld();
  const office = await signIn(world, 'admin');
  const parent = await signIn(world, 'parent');
  const pupil = await createPupil(office, { firstName: 'Ben' });
  await post(office, `/api/pupils/${pupil.id}/biometric-consent`, biometric(true)).expect(201);
  insertFakeReference(world, pupil.id);
  await post(office, `/api/pupils/${pupil.id}/guardians`, { userId: parent.id }).expect(201);
  if (sibling !== 'none') {
    const twin = await createPupil(office, { firstName: 'Bea' });
    await post(office, `/api/pupils/${twin.id}/guardians`, { userId: parent.id }).expect(201);
    if (sibling.startsWith('enrolled')) {
      await post(office, `/api/pupils/${twin.id}/biometric-consent`, biometric(true)).expect(201);
      insertFakeReference(world, twin.id);
    }
    if (sibling === 'enrolled, biometric consent withdrawn') {
      await post(office, `/api/pupils/${twin.id}/biometric-consent`, biometric(true, true)).expect(201);
    }
    if (sibling === 'left') await post(office, `/api/pupils/${twin.id}/leave`, {}).expect(200);
  }
  if (confirmed) {
    const res = await post(office, `/api/pupils/${pupil.id}/no-lookalike-sibling`, { confirmed: true }).expect(200);
    expect(res.body.pupil.noLookalikeSibling.confirmedAt).toEqual(expect.any(String));
    expect(auditActions(world, pupil.id).map((a) => a.action)).toContain('pupil.no_lookalike_sibling_confirmed');
  }
  expect(world.ctx.register.mayBeUnenrolledSibling([pupil.id]).has(pupil.id)).toBe(unsure);
});

test('when the body is not a yes or no, then the confirmation is refused with 400 and nothing changes', async () => {
  const world = createTestWorld();
  const office = await signIn(world, 'admin');
  const pupil = await createPupil(office);
  await post(office, `/api/pupils/${pupil.id}/no-lookalike-sibling`, { confirmed: 'maybe' }).expect(400);
  await post(office, '/api/pupils/9999/no-lookalike-sibling', { confirmed: true }).expect(404);
  expect(world.ctx.register.pupilDetail(pupil.id).pupil.noLookalikeSiblingAt).toBeNull();
});
