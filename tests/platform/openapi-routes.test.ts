import request from 'supertest';
import { apiRouter } from '../../src/app';
import { createTestWorld } from '../helpers/context';

// The OpenAPI document lists exactly the routes the server answers: a route added without its
// entry (or an entry left behind) fails here.

interface Layer { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } }

function routesOf(stack: Layer[]): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const path = `/api${layer.route.path.replace(/:(\w+)/g, '{$1}')}`;
      return Object.keys(layer.route.methods).filter((m) => m !== '_all').map((m) => `${m.toUpperCase()} ${path}`);
    }
    return layer.handle?.stack ? routesOf(layer.handle.stack) : [];
  });
}

test('when the router\'s routes are compared with /api/openapi.json, then they are the same set', async () => {
  const world = createTestWorld();
  const served = new Set([...routesOf((apiRouter(world.ctx) as unknown as { stack: Layer[] }).stack), 'GET /api/health']);
  const doc = (await request(world.app).get('/api/openapi.json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
  const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)));
  expect(served.size).toBeGreaterThan(40);
  expect([...served].filter((r) => !documented.has(r)).sort()).toEqual([]);
  expect([...documented].filter((r) => !served.has(r)).sort()).toEqual([]);
});
