// SANDBOX_CONTROL=false (the default with NODE_ENV=production) hides the routes that bend reality
// (faults, reset, POS buttons), as if they did not exist, so a shared sandbox cannot be steered by
// one integrator.
import { Inject, Injectable, type CanActivate } from '@nestjs/common';
import { ProviderError } from './provider-error';
import { SANDBOX_OPTIONS, type SandboxOptions } from './sandbox.options';

@Injectable()
export class ControlRoutesGuard implements CanActivate {
  constructor(@Inject(SANDBOX_OPTIONS) private readonly options: SandboxOptions) {}

  canActivate(): boolean {
    if (!this.options.control) throw new ProviderError(404, 'NOT_FOUND', 'control routes are off (SANDBOX_CONTROL=true turns them on)');
    return true;
  }
}
