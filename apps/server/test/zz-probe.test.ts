import { it } from 'vitest';
import { createTestApp } from './harness.ts';
const context = await createTestApp();
it('prints', () => {
  console.log(context.app.printRoutes({ commonPrefix: false }));
  console.log(context.app.printRoutes({ commonPrefix: false, includeHooks: false, method: 'GET' }));
});
