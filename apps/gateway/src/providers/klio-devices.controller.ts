// Operators sync Klio's device list into a merchant's terminals.
import { Controller, Inject } from '@nestjs/common';
import { Input, RouteInput } from '../http/route-input.decorator';
import { Endpoint } from '../http/route.definition';
import { KlioDeviceSyncResult, syncKlioDevicesRoute } from './klio-devices.routes';
import { KlioDevicesService } from './klio-devices.service';

@Controller()
export class KlioDevicesController {
  constructor(@Inject(KlioDevicesService) private readonly devices: KlioDevicesService) {}

  @Endpoint(syncKlioDevicesRoute)
  sync(@Input() input: RouteInput<typeof syncKlioDevicesRoute>): Promise<KlioDeviceSyncResult> {
    return this.devices.sync(input.params.id, input.body.deviceIds);
  }
}
