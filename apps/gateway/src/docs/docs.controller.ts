// `/docs-json`, `/docs` and the Swagger UI files, served from the swagger-ui-dist package (no CDN).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Controller, Inject, Res } from '@nestjs/common';
import { AppError } from '@app/common';
import { ErrorCode } from '@app/contracts';
import type { FastifyReply } from 'fastify';
import { Input, RouteInput } from '../http/route-input.decorator';
import { Endpoint } from '../http/route.definition';
import { openApiRoute, swaggerAssetRoute, swaggerUiRoute } from './docs.routes';
import { OpenApiDocument } from './openapi.builder';
import { OpenApiService } from './openapi.service';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const swaggerUiDist = require('swagger-ui-dist') as { getAbsoluteFSPath(): string };

const ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'index.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/docs-json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout',
  });
};
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>ecr-bridge API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="stylesheet" href="/docs/index.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js" charset="UTF-8"></script>
  <script src="/docs/swagger-ui-standalone-preset.js" charset="UTF-8"></script>
  <script src="/docs/swagger-initializer.js" charset="UTF-8"></script>
</body>
</html>
`;

@Controller()
export class DocsController {
  private readonly cache = new Map<string, Buffer>();

  constructor(@Inject(OpenApiService) private readonly openApi: OpenApiService) {}

  @Endpoint(openApiRoute)
  document(): OpenApiDocument {
    return this.openApi.get();
  }

  @Endpoint(swaggerUiRoute)
  async page(@Res() reply: FastifyReply): Promise<void> {
    await reply.header('Content-Type', 'text/html; charset=utf-8').send(PAGE);
  }

  @Endpoint(swaggerAssetRoute)
  async asset(@Input() input: RouteInput<typeof swaggerAssetRoute>, @Res() reply: FastifyReply): Promise<void> {
    const name = input.params.asset;
    if (name === 'swagger-initializer.js') {
      await reply.header('Content-Type', 'application/javascript; charset=utf-8').send(INITIALIZER);
      return;
    }
    const type = Object.prototype.hasOwnProperty.call(ASSETS, name) ? ASSETS[name] : undefined;
    if (!type) throw new AppError(ErrorCode.RouteNotFound, 404, `No documentation file ${name}.`);
    let body = this.cache.get(name);
    if (!body) {
      body = await readFile(join(swaggerUiDist.getAbsoluteFSPath(), name));
      this.cache.set(name, body);
    }
    await reply.header('Content-Type', type).header('Cache-Control', 'public, max-age=3600').send(body);
  }
}
