export { type Bot, createBot, isBotHandling } from './bot.service.ts';
export { seedDemoKnowledge } from './demo-knowledge.ts';
export { knowledgeRoutes, publicHelpRoutes } from './knowledge.routes.ts';
export { botSettingsOf, createKnowledgeService, type KnowledgeService } from './knowledge.service.ts';
