// Klio SmartPos routes. `tasks-request` and `get-pos-devices` are Klio's public paths; the token
// endpoint, the task look-ups and the cancel are the sandbox's (docs/klio-wire.md). Every route but
// the token one wants `Authorization: <access token>` with no scheme.
import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, UseFilters } from '@nestjs/common';
import { KlioExceptionFilter, KlioHttpError, klioBadRequest } from './klio-errors';
import { KlioSandboxService } from './klio-sandbox.service';
import { checkTasksRequest, klioAuthSchema, klioTasksRequestSchema, parseKlio } from './klio-wire.schemas';
import { neverAnswer } from './never-answer';
import { asQuery, optionalParam } from './wire-query';

function taskIdOf(raw: string): number {
  if (!/^\d{1,15}$/.test(raw)) throw new KlioHttpError(404, 'TASK_NOT_FOUND', `task ${raw} does not exist`);
  return Number(raw);
}

@Controller('external')
@UseFilters(KlioExceptionFilter)
export class KlioApiController {
  constructor(private readonly klio: KlioSandboxService) {}

  @Post('auth-api/token')
  @HttpCode(200)
  token(@Body() body: unknown): { accessToken: string; expiresIn: number } {
    const input = parseKlio(klioAuthSchema, body ?? {});
    return this.klio.issueToken(input.clientId, input.clientSecret, Date.now());
  }

  @Post('posdevice-api/tasks-request')
  @HttpCode(200)
  async tasksRequest(@Headers('authorization') authorization: unknown, @Body() body: unknown): Promise<Record<string, unknown>[]> {
    const cuit = this.klio.authenticate(authorization, Date.now());
    const input = parseKlio(klioTasksRequestSchema, body ?? {});
    checkTasksRequest(input);
    const { tasks, answer } = this.klio.submit(cuit, input, Date.now());
    if (answer === 'unavailable') throw new KlioHttpError(503, 'SERVICE_UNAVAILABLE', 'servicio no disponible, reintente');
    if (answer === 'lost') return neverAnswer();
    return tasks.map((t) => this.klio.view(t));
  }

  @Get('posdevice-api/tasks')
  find(@Headers('authorization') authorization: unknown, @Query() query: unknown): Record<string, unknown>[] {
    const cuit = this.klio.authenticate(authorization, Date.now());
    const originID = optionalParam(asQuery(query), 'originID');
    if (originID === null || originID === '') throw klioBadRequest('originID is required');
    return this.klio.byOrigin(cuit, originID).map((t) => this.klio.view(t));
  }

  @Get('posdevice-api/tasks/:taskId')
  get(@Headers('authorization') authorization: unknown, @Param('taskId') taskId: string): Record<string, unknown> {
    const cuit = this.klio.authenticate(authorization, Date.now());
    return this.klio.view(this.klio.get(cuit, taskIdOf(taskId)));
  }

  @Post('posdevice-api/tasks/:taskId/cancel')
  @HttpCode(200)
  cancel(@Headers('authorization') authorization: unknown, @Param('taskId') taskId: string): Record<string, unknown> {
    const cuit = this.klio.authenticate(authorization, Date.now());
    return this.klio.view(this.klio.cancel(cuit, taskIdOf(taskId), Date.now()));
  }

  @Get('posdevice-api/get-pos-devices')
  devices(@Headers('authorization') authorization: unknown): Record<string, unknown>[] {
    const cuit = this.klio.authenticate(authorization, Date.now());
    return this.klio.devicesOf(cuit).map((d) => this.klio.deviceView(d));
  }
}
