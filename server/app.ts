/**
 * The Hono application: one sub-app per resource under /api, the client's static files, the
 * security headers, the body limit and the one error handler. `createApp` takes everything it
 * needs as arguments so tests can call `app.request()` in-process or serve it on a real port.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { serveStatic } from '@hono/node-server/serve-static';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../shared/errors.ts';
import { sameOriginOnly } from './auth/session.ts';
import type { AppDeps } from './context.ts';
import { errorResponse, handleError } from './http-errors.ts';
import { cosignRoutes } from './routes/cosign.ts';
import { meetingRoutes } from './routes/meetings.ts';
import { pollRoutes } from './routes/polls.ts';
import { liveRoutes } from './routes/live.ts';
import { publicRoutes } from './routes/public.ts';
import { sessionRoutes } from './routes/session.ts';
import { calendarRoutes, unitRoutes, userRoutes } from './routes/users.ts';
import { ballotRoutes, candidateKeyRoutes, checkinRoutes, selfEvaluationRoutes } from './routes/voting.ts';
import { buildOpenApi, strictUtf8Body } from './validate.ts';
import { API_BODY_LIMIT, CAST_BODY_LIMIT, CHECKIN_BODY_LIMIT, ROSTER_BODY_LIMIT } from './body-limits.ts';

function limit(maxSize: number) {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new AppError('payload_too_large', `the request body is larger than ${maxSize} bytes`);
    },
  });
}

export function createApp(deps: AppDeps, options: { clientDir?: string } = {}) {
  const app = new Hono();
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
      referrerPolicy: 'no-referrer',
      xFrameOptions: 'DENY',
      // HSTS belongs to the HTTPS deployment (see docs/deployment.md); on plain HTTP it is meaningless.
      strictTransportSecurity: false,
    }),
  );
  const small = limit(API_BODY_LIMIT);
  const roster = limit(ROSTER_BODY_LIMIT);
  // Bodies that grow with the poll (server/body-limits.ts): matched exactly, every other route stays small.
  const byPath: Record<string, ReturnType<typeof limit>> = { '/api/ballots': limit(CAST_BODY_LIMIT), '/api/checkin': limit(CHECKIN_BODY_LIMIT) };
  app.use('/api/*', (c, next) => (byPath[c.req.path] ?? (/\/voters$/.test(c.req.path) ? roster : small))(c, next));
  app.use('/api/*', sameOriginOnly(deps.publicOrigin));
  app.use('/api/*', strictUtf8Body);
  app.use('/api/*', async (c, next) => {
    await next();
    if (!c.res.headers.has('cache-control')) c.header('cache-control', 'no-store');
  });

  app.route('/api/session', sessionRoutes(deps));
  app.route('/api/users', userRoutes(deps));
  app.route('/api/units', unitRoutes(deps));
  app.route('/api/calendar', calendarRoutes(deps));
  app.route('/api/meetings', meetingRoutes(deps));
  app.route('/api/polls', pollRoutes(deps));
  app.route('/api/cosign', cosignRoutes(deps));
  app.route('/api/checkin', checkinRoutes(deps));
  app.route('/api/ballots', ballotRoutes(deps));
  app.route('/api/self-evaluations', selfEvaluationRoutes(deps));
  app.route('/api/candidate-keys', candidateKeyRoutes(deps));
  app.route('/api/public/live', liveRoutes(deps));
  app.route('/api/public', publicRoutes(deps));
  const openApi = buildOpenApi(app, { title: 'Anonymous ballot API', version: '1' });
  app.get('/api/openapi.json', (c) => c.json(openApi));
  app.all('/api/*', (c) => errorResponse(c, 'not_found', 'no such API route', 404));

  const clientDir = options.clientDir;
  if (clientDir) {
    // Hashed build assets never change: cache them for good. A missing one is a 404, never the
    // page itself (a stale page would otherwise load HTML as JavaScript after a deploy).
    app.use('/assets/*', async (c, next) => {
      await next();
      if (c.res.status === 200) c.header('cache-control', 'public, max-age=31536000, immutable');
    });
    // serveStatic needs the folder to exist when it is mounted (npm start builds it first).
    if (existsSync(clientDir)) {
      app.use('/assets/*', serveStatic({ root: clientDir }));
      app.use('/favicon.svg', serveStatic({ root: clientDir }));
    }
    app.get('/assets/*', (c) => errorResponse(c, 'not_found', 'no such file', 404));
    // Single-page app: every other GET gets index.html (read per request, so a rebuild is picked
    // up) and the client routes by path.
    app.get('*', (c) => {
      const index = join(clientDir, 'index.html');
      if (!existsSync(index)) return errorResponse(c, 'not_found', 'the client is not built: run npm run build', 404);
      c.header('cache-control', 'no-cache');
      return c.html(readFileSync(index, 'utf8'));
    });
  }
  app.notFound((c) => errorResponse(c, 'not_found', 'not found', 404));
  app.onError(handleError);
  return app;
}
