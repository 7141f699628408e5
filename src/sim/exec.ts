/** exec and attach on a simulated pod (WebSocket channel protocol). */
import { ApiError } from './errors.js';
import type { UpgradeContext } from './server.js';

export function handleExec(ctx: UpgradeContext, _sub: 'exec' | 'attach'): void {
  ctx.fail(new ApiError(400, 'BadRequest', 'exec is not implemented yet'));
}
