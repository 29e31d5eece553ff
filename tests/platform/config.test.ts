import { parseConfig } from '../../src/config';

// The environment is parsed once at start-up; a bad value lists every problem and stops the
// process (main.ts prints the message and exits 1).
const base = { DATA_KEY: Buffer.alloc(32, 7).toString('base64') };

test.each([
  ['the defaults', {}, null],
  ['MATCH_THRESHOLD at the guard rail', { MATCH_THRESHOLD: '0.55' }, null],
  ['MATCH_MARGIN at the guard rail', { MATCH_MARGIN: '0.05' }, null],
  ['MATCH_THRESHOLD above 0.55', { MATCH_THRESHOLD: '0.6' }, /MATCH_THRESHOLD: Above 0\.55 strangers/],
  ['MATCH_MARGIN below 0.05', { MATCH_MARGIN: '0.04' }, /MATCH_MARGIN: Under 0\.05 look-alike/],
  ['a zero margin', { MATCH_MARGIN: '0' }, /MATCH_MARGIN/],
])('when the environment has %s, then the service starts only inside the matching guard rails', (_case, env, problem) => {
  const parse = () => parseConfig({ ...base, ...env });
  if (problem) expect(parse).toThrow(problem);
  else expect(parse).not.toThrow();
});

test('when both matching settings are outside their guard rails, then every problem is listed at once', () => {
  expect(() => parseConfig({ ...base, MATCH_THRESHOLD: '0.7', MATCH_MARGIN: '0.01', PORT: 'x' }))
    .toThrow(/Invalid configuration:\n(?=[\s\S]*MATCH_THRESHOLD)(?=[\s\S]*MATCH_MARGIN)(?=[\s\S]*PORT)/);
});
