import { gatewayRoutes } from '../../apps/gateway/src/gateway.app';
import { Gateway, startGateway } from './gateway.harness';

type Json = Record<string, unknown>;
interface Doc {
  openapi: string;
  paths: Record<string, Record<string, Json>>;
  components: Record<string, Record<string, Json>>;
}

describe('gateway OpenAPI document', () => {
  let gw: Gateway;
  let doc: Doc;

  beforeAll(async () => {
    gw = await startGateway();
    const res = await gw.request<Doc>('GET', '/docs-json');
    expect(res.status).toBe(200);
    doc = res.body;
  });
  afterAll(async () => gw.close());

  const documented = () =>
    Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)).sort();

  it('is OpenAPI 3.1', () => {
    expect(doc.openapi).toBe('3.1.0');
  });

  it('describes every route the app serves, and no other', () => {
    const served = gatewayRoutes(gw.app)
      .map((r) => `${r.method} ${r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`)
      .sort();
    expect(served.length).toBeGreaterThan(15);
    expect(documented()).toEqual(served);
  });

  it('resolves every $ref', () => {
    const refs = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) {
          if (k === '$ref' && typeof v === 'string') refs.add(v);
          else walk(v);
        }
      }
    };
    walk(doc);
    expect(refs.size).toBeGreaterThan(5);
    for (const ref of refs) {
      const [, section, name] = /^#\/components\/([^/]+)\/(.+)$/.exec(ref) ?? [];
      expect(doc.components[section]?.[name]).toBeDefined();
    }
  });

  it('documents the payment command from the schema that validates it', () => {
    const create = doc.paths['/v1/payments'].post as {
      parameters: Json[];
      requestBody: { content: Record<string, { schema: { $ref: string } }> };
      responses: Record<string, Json>;
      security: Json[];
    };
    const ref = create.requestBody.content['application/json'].schema.$ref.split('/').pop() as string;
    const body = doc.components.schemas[ref] as { required: string[]; properties: Record<string, Json>; additionalProperties: boolean };
    expect(body.required.sort()).toEqual(['amount', 'currency', 'terminalIds']);
    expect(body.properties.amount).toMatchObject({ type: 'integer', maximum: 100_000_000_000 });
    expect(body.properties.installments).toMatchObject({ default: 1, minimum: 1, maximum: 99 });
    expect(body.additionalProperties).toBe(false);
    expect(create.parameters).toEqual(
      expect.arrayContaining([{ $ref: '#/components/parameters/IdempotencyKey' }, { $ref: '#/components/parameters/Prefer' }]),
    );
    expect(Object.keys(create.responses).sort()).toEqual(['200', '202', '400', '401', '403', '409', '413', '415', '422', '429', '500']);
    expect(create.responses['202']).toMatchObject({ headers: { Location: expect.anything(), 'Idempotent-Replayed': expect.anything() } });
    expect(create.security).toEqual([{ merchantKey: [] }]);
    // A route with a path parameter also answers 414 for an overlong one.
    const get = doc.paths['/v1/payments/{id}'].get as { responses: Record<string, Json> };
    expect(Object.keys(get.responses)).toEqual(expect.arrayContaining(['414', '429']));
    expect(doc.components.responses.Problem429).toMatchObject({ content: { 'application/problem+json': expect.anything() } });
  });

  it('documents the problem shape with every error code', () => {
    const problem = doc.components.schemas.Problem as { required: string[]; properties: { code: { enum: string[] } } };
    expect(problem.required.sort()).toEqual(['code', 'detail', 'errors', 'status', 'title', 'type']);
    expect(problem.properties.code.enum).toEqual(expect.arrayContaining(['PAYMENT.NOT_FOUND', 'IDEMPOTENCY.KEY_REUSED']));
    expect(doc.components.responses.Problem400).toMatchObject({ content: { 'application/problem+json': expect.anything() } });
  });

  it('documents query parameters and the SSE resume header', () => {
    const list = doc.paths['/v1/payments'].get as { parameters: { name: string; in: string; required: boolean }[] };
    expect(list.parameters.map((p) => p.name).sort()).toEqual(['cursor', 'from', 'limit', 'reference', 'status', 'terminalId', 'to']);
    expect(list.parameters.every((p) => p.in === 'query' && !p.required)).toBe(true);
    const events = doc.paths['/v1/events'].get as { parameters: { name: string; in: string }[]; responses: Record<string, Json> };
    expect(events.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Last-Event-ID', in: 'header' })]));
    expect(events.responses['200']).toMatchObject({ content: { 'text/event-stream': expect.anything() } });
    const health = doc.paths['/health/ready'].get as { security: Json[] };
    expect(health.security).toEqual([]);
  });

  it('serves Swagger UI from the package, not a CDN', async () => {
    const page = await gw.request('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('/docs/swagger-ui-bundle.js');
    expect(page.text).not.toMatch(/https?:\/\//);
    const bundle = await gw.request('GET', '/docs/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toContain('javascript');
    expect(bundle.text.length).toBeGreaterThan(100_000);
    const init = await gw.request('GET', '/docs/swagger-initializer.js');
    expect(init.text).toContain("url: '/docs-json'");
    const missing = await gw.request('GET', '/docs/package.json');
    expect(missing.status).toBe(404);
  });
});
