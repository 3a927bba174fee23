// Admin routes: parse (done by @Input), call the service, answer.
import { Controller, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Input, RouteInput } from '../http/route-input.decorator';
import { Endpoint } from '../http/route.definition';
import {
  createMerchantRoute,
  getMerchantRoute,
  issueApiKeyRoute,
  listMerchantsRoute,
  putTerminalRoute,
  revokeApiKeyRoute,
} from './admin.routes';
import { AdminService } from './admin.service';

@Controller()
export class AdminController {
  constructor(@Inject(AdminService) private readonly admin: AdminService) {}

  @Endpoint(createMerchantRoute)
  createMerchant(@Input() input: RouteInput<typeof createMerchantRoute>) {
    return this.admin.createMerchant(input.body.name, input.body.cuit);
  }

  @Endpoint(listMerchantsRoute)
  listMerchants(@Input() input: RouteInput<typeof listMerchantsRoute>) {
    return this.admin.listMerchants(input.query);
  }

  @Endpoint(getMerchantRoute)
  getMerchant(@Input() input: RouteInput<typeof getMerchantRoute>) {
    return this.admin.getMerchant(input.params.id);
  }

  @Endpoint(issueApiKeyRoute)
  issueApiKey(@Input() input: RouteInput<typeof issueApiKeyRoute>) {
    return this.admin.issueApiKey(input.params.id);
  }

  @Endpoint(revokeApiKeyRoute)
  async revokeApiKey(@Input() input: RouteInput<typeof revokeApiKeyRoute>): Promise<void> {
    await this.admin.revokeApiKey(input.params.id, input.params.keyId);
  }

  @Endpoint(putTerminalRoute)
  async putTerminal(@Input() input: RouteInput<typeof putTerminalRoute>, @Res() reply: FastifyReply): Promise<void> {
    const { created, terminal } = await this.admin.putTerminal(
      input.params.id,
      input.params.terminalId,
      input.body.provider,
      input.body.label,
      input.body.deviceId,
    );
    await reply.status(created ? 201 : 200).send(terminal);
  }
}
