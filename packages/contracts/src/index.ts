export * from './common.ts';
export * from './conversations.ts';
export * from './customers.ts';
export * from './errors.ts';
export * from './identity.ts';
export * from './public-channel.ts';
export * from './realtime.ts';
export * from './workspaces.ts';
