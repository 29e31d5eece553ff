import { createFaceEngine } from '../../src/features/faces';

// Each worker finds and describes the three people of a face-api sample photo before it reports
// ready, so models that load but find nobody never pass photos as "no faces". (boot.ts turns a
// failed start into the unavailable engine: checks fail closed, /api/health says degraded.)

test('when the models work, then the engine starts (the self-test passed in every worker)', async () => {
  const engine = await createFaceEngine({ workers: 1 });
  try {
    expect(engine.workers).toBe(1);
    expect(engine.problem).toBeUndefined();
  } finally {
    await engine.close();
  }
});

test('when a worker\'s detector finds nobody in the known photo, then the engine does not start', async () => {
  // Thresholds no real face reaches stand in for a broken model: everything loads, nothing is found.
  const blind = { workers: 1, retinaMinConfidence: 0.99999, yunetMinConfidence: 0.99999, minConfidence: 0.99999, tileMinConfidence: 0.99999 };
  await expect(createFaceEngine(blind)).rejects.toThrow(/start-up/);
});
