import { parseConfig, schoolIdFrom } from '../../src/config';
import { decodeFailure } from '../../src/platform/queue/job-producer';
import { queueName, redisOptions } from '../../src/platform/queue/keys';

// Pure parts of the queue mode: settings, Redis addresses, queue names, and how a worker's
// failure reason becomes the school's answer (fail closed unless it is well-formed bad input).
const base = { DATA_KEY: Buffer.alloc(32, 7).toString('base64') };

test.each([
  ['Our School', 'our-school'],
  ["St Mary's C of E Primary", 'st-mary-s-c-of-e-primary'],
  ['  École Saint-Jean  ', 'ecole-saint-jean'],
  ['!!!', 'school'],
  ['x'.repeat(80), 'x'.repeat(63)],
])('when SCHOOL_NAME is %j and SCHOOL_ID unset, then the queue is named after %j', (name, id) => {
  expect(schoolIdFrom(name)).toBe(id);
  expect(parseConfig({ ...base, SCHOOL_NAME: name }).schoolId).toBe(id);
});

test.each([
  ['REDIS_URL without a scheme', { REDIS_URL: 'localhost:6379' }, /REDIS_URL/],
  ['REDIS_URL over http', { REDIS_URL: 'http://localhost:6379' }, /REDIS_URL/],
  ['a SCHOOL_ID with capitals', { SCHOOL_ID: 'Oak' }, /SCHOOL_ID/],
  ['a SCHOOL_ID with a colon', { SCHOOL_ID: 'oak:1' }, /SCHOOL_ID/],
  ['a short METRICS_TOKEN', { METRICS_TOKEN: 'short' }, /METRICS_TOKEN/],
  ['a valid queue setup', { REDIS_URL: 'redis://redis:6379', SCHOOL_ID: 'oak-primary', METRICS_TOKEN: 'a'.repeat(16) }, null],
])('when the environment has %s, then the service starts only with sound queue settings', (_case, env, problem) => {
  const parse = () => parseConfig({ ...base, ...env });
  if (problem) expect(parse).toThrow(problem);
  else expect(parse().schoolId).toBe('oak-primary');
});

test.each([
  ['redis://127.0.0.1:6380', { host: '127.0.0.1', port: 6380, db: 0 }],
  ['redis://redis', { host: 'redis', port: 6379, db: 0 }],
  ['redis://:s%40cret@redis:6379/2', { host: 'redis', port: 6379, db: 2, password: 's@cret' }],
  ['rediss://user:pw@cache.example:6380', { host: 'cache.example', port: 6380, db: 0, username: 'user', password: 'pw', tls: {} }],
])('when REDIS_URL is %s, then the connection goes to %j', (url, expected) => {
  expect(redisOptions(url)).toEqual(expected);
});

test('when two schools share a Redis, then each has its own photo queue', () => {
  expect(queueName('photo', 'oak')).toBe('photo-oak');
  expect(queueName('photo', 'oak')).not.toBe(queueName('photo', 'elm'));
});

test.each([
  ['bad input from the worker', JSON.stringify({ code: 'corrupt_image', status: 422, message: 'The photo is damaged.' }), 'corrupt_image', 422],
  ['an unsupported type', JSON.stringify({ code: 'unsupported_media_type', status: 415, message: 'Not a photo.' }), 'unsupported_media_type', 415],
  ['an engine failure', JSON.stringify({ code: 'engine_failed', status: 503, message: 'the job failed' }), 'engine_failed', 503],
  ['a job stalled twice (BullMQ\'s own words)', 'job stalled more than allowable limit', 'engine_failed', 503],
  ['a deadline passed', JSON.stringify({ code: 'expired', status: 503, message: 'x' }), 'engine_failed', 503],
  ['a 4xx with a missing message', JSON.stringify({ code: 'x', status: 400 }), 'engine_failed', 503],
  ['nothing', undefined, 'engine_failed', 503],
])('when a job fails with %s, then the school answers %s (%i)', (_case, reason, code, status) => {
  expect(decodeFailure(reason)).toMatchObject({ code, status });
});
