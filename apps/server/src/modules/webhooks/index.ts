export { seedDemoWebhooks } from './demo-webhooks.ts';
export { DELIVERY_TIMEOUT_MS, postSigned } from './signed-post.ts';
export { WEBHOOK_KIND } from './webhooks.repository.ts';
export { webhooksRoutes } from './webhooks.routes.ts';
export { createWebhooksService, type WebhooksService } from './webhooks.service.ts';
