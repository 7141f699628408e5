/** portforward to a simulated pod's ports. */
import { ApiError } from './errors.js';
import type { UpgradeContext } from './server.js';

export function handlePortForward(ctx: UpgradeContext): void {
  ctx.fail(new ApiError(400, 'BadRequest', 'portforward is not implemented yet'));
}
