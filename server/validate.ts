/**
 * Input validation at the edge, and the OpenAPI document generated from the same schemas.
 *
 * `jsonBody(schema, doc)` is the only way a route reads a body: it insists on a JSON content
 * type (Hono's own json validator would hand `{}` to the schema otherwise), parses the bytes as
 * strict JSON (shared/strict-json.ts: UTF-8, no duplicate member, no lone surrogate, each
 * refused with its own code), and runs a strict zod schema; failures become 400/415 through the
 * one error path. The schema and the route's description are also registered for
 * `/api/openapi.json`.
 */
import type { Hono, MiddlewareHandler } from 'hono';
import { validator } from 'hono/validator';
import { z } from 'zod';
import { AppError } from '../shared/errors.ts';
import { decodeUtf8Strict, parseStrictJson } from '../shared/strict-json.ts';
import { checkJsonShape } from './body-shape.ts';

export interface RouteDoc {
  summary: string;
  /** Who may call it: `public` (anyone), `voter` (a voting code in the body), `organizer`, `admin`. */
  /** Who may call it: `organizer` routes are also open to scrutineers for reading (GET). */
  access: 'public' | 'voter' | 'organizer' | 'scrutineer' | 'admin';
  response?: string;
}

const docs = new WeakMap<Function, RouteDoc & { body?: z.ZodType }>();

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'body'}: ${issue.message}`)
    .join('; ');
}

/** Parses with `schema` or throws `invalid_body` naming the first problems. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new AppError('invalid_body', describeIssues(result.error));
  return result.data;
}

export function jsonBody<S extends z.ZodType>(schema: S, doc: RouteDoc) {
  const middleware = validator('json', async (_lenient, c) => {
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/json(\s*;|$)/i.test(type))
      throw new AppError('unsupported_media_type', 'send the body as application/json');
    // Hono's reading is JSON.parse, which keeps the last of two members with the same name; the
    // body is read again, strictly, from its bytes (cached by Hono, so not read twice off the wire).
    const value = parseStrictJson(new Uint8Array(await c.req.arrayBuffer()));
    return parseOrThrow(schema, value) as z.output<S>;
  });
  docs.set(middleware, { ...doc, body: schema });
  return middleware;
}

/**
 * JSON bodies must be UTF-8 (RFC 8259): bytes that are not are refused (`invalid_utf8`, naming the
 * offset), never replaced by U+FFFD, on every route, before any route reads them; and of a bounded
 * shape (server/body-shape.ts), checked before anything parses them.
 */
export const strictUtf8Body: MiddlewareHandler = async (c, next) => {
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && /^application\/json/i.test(c.req.header('content-type') ?? '')) {
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    // Before anything parses it: no body of this API is deep or has more than a bounded number of values.
    checkJsonShape(bytes);
    decodeUtf8Strict(bytes);
  }
  await next();
};

/** Documents a route without a body. */
export function described(doc: RouteDoc): MiddlewareHandler {
  const middleware: MiddlewareHandler = async (_c, next) => next();
  docs.set(middleware, doc);
  return middleware;
}

export function buildOpenApi(app: Hono<any>, info: { title: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of app.routes) {
    const doc = docs.get(route.handler);
    if (!doc) continue;
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    const params = [...route.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    paths[path] ??= {};
    paths[path]![route.method.toLowerCase()] = {
      summary: doc.summary,
      'x-access': doc.access,
      ...(params.length ? { parameters: params } : {}),
      ...(doc.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: z.toJSONSchema(doc.body, { io: 'input', unrepresentable: 'any' }) } },
            },
          }
        : {}),
      responses: {
        '200': { description: doc.response ?? 'success' },
        default: {
          description: 'error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' } },
            },
          },
        },
      },
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'ab_session' },
        csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' },
      },
    },
  };
}
