export { seedDemoKeywordReplies } from './demo-keyword-replies.ts';
export { compileMatcher, type KeywordMatcher, normalizeForMatch } from './keyword-matcher.ts';
export { keywordRepliesRoutes } from './keyword-replies.routes.ts';
export {
  checkRegex,
  createKeywordRepliesService,
  type KeywordRepliesService,
  toKeywordReply,
} from './keyword-replies.service.ts';
