// Sandbox control of the Klio account: add devices, see their tasks, act as the person at a
// device (approve or decline on a DEFAULT-mode one, cancel on any), age a payment past the
// 30-day annulment window, forget everything Klio.
import { Body, Controller, Get, HttpCode, Param, Post, Query, UseFilters, UseGuards } from '@nestjs/common';
import { ControlRoutesGuard } from './control-routes.guard';
import { KlioExceptionFilter, KlioHttpError } from './klio-errors';
import { KlioSandboxService } from './klio-sandbox.service';
import { klioAgeSchema, klioDeviceSchema, parseKlio } from './klio-wire.schemas';
import { asQuery, optionalParam } from './wire-query';

function idOf(raw: string): number {
  if (!/^\d{1,15}$/.test(raw)) throw new KlioHttpError(404, 'TASK_NOT_FOUND', `task ${raw} does not exist`);
  return Number(raw);
}

@Controller('sandbox/klio')
@UseFilters(KlioExceptionFilter)
export class KlioControlController {
  constructor(private readonly klio: KlioSandboxService) {}

  @Get('devices')
  devices(): { data: Record<string, unknown>[] } {
    return {
      data: [...this.klio.devices.values()].map((d) => ({
        ...this.klio.deviceView(d),
        cuit: d.cuit,
        offline: d.offline,
        takeDelayMs: d.takeDelayMs,
        tasks: this.klio.tasksOf(d.deviceId).map((t) => this.klio.view(t)),
      })),
    };
  }

  @Post('devices')
  @HttpCode(201)
  @UseGuards(ControlRoutesGuard)
  addDevice(@Body() body: unknown): { data: Record<string, unknown> } {
    const device = this.klio.addDevice(parseKlio(klioDeviceSchema, body ?? {}));
    return { data: { ...this.klio.deviceView(device), cuit: device.cuit, offline: device.offline } };
  }

  @Get('tasks')
  tasks(@Query() query: unknown): { data: Record<string, unknown>[] } {
    const deviceId = optionalParam(asQuery(query), 'deviceId');
    const devices = deviceId === null ? [...this.klio.devices.keys()] : [deviceId];
    return { data: devices.flatMap((id) => this.klio.tasksOf(id)).sort((a, b) => a.taskId - b.taskId).map((t) => this.klio.view(t)) };
  }

  @Post('tasks/:taskId/approve')
  @HttpCode(200)
  @UseGuards(ControlRoutesGuard)
  approve(@Param('taskId') taskId: string): { data: Record<string, unknown> } {
    return { data: this.klio.view(this.klio.act(idOf(taskId), 'approve', Date.now())) };
  }

  @Post('tasks/:taskId/decline')
  @HttpCode(200)
  @UseGuards(ControlRoutesGuard)
  decline(@Param('taskId') taskId: string): { data: Record<string, unknown> } {
    return { data: this.klio.view(this.klio.act(idOf(taskId), 'decline', Date.now())) };
  }

  /** The person at the device cancels a task it has not finished (it ends `Canceled`). */
  @Post('tasks/:taskId/cancel')
  @HttpCode(200)
  @UseGuards(ControlRoutesGuard)
  cancel(@Param('taskId') taskId: string): { data: Record<string, unknown> } {
    return { data: this.klio.view(this.klio.act(idOf(taskId), 'cancel', Date.now())) };
  }

  /** Moves a collected payment `days` into the past (the 30-day annulment limit). */
  @Post('tasks/:taskId/age')
  @HttpCode(200)
  @UseGuards(ControlRoutesGuard)
  age(@Param('taskId') taskId: string, @Body() body: unknown): { data: Record<string, unknown> } {
    const { days } = parseKlio(klioAgeSchema, body ?? {});
    return { data: this.klio.view(this.klio.age(idOf(taskId), days)) };
  }

  @Post('reset')
  @HttpCode(200)
  @UseGuards(ControlRoutesGuard)
  reset(): { data: { reset: true } } {
    this.klio.clear();
    return { data: { reset: true } };
  }
}
