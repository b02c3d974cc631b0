import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';

/** Every error code the API can answer with, and its HTTP status. One table, one place. */
export const errorStatus = {
  'request.invalid': 400,
  'request.too_large': 413,
  'request.unsupported_media_type': 415,
  'auth.required': 401,
  'auth.invalid_credentials': 401,
  'auth.locked': 429,
  /** The right password, but an admin disabled the account: say so, so they stop retrying. */
  'auth.user_disabled': 403,
  'auth.csrf': 403,
  /** Changing one's own password with a wrong current password (not 401: the session itself is fine). */
  'auth.current_password_invalid': 400,
  'auth.forbidden': 403,
  'auth.signature_invalid': 401,
  'setup.already_done': 409,
  'user.not_found': 404,
  'user.email_taken': 409,
  'user.owner_protected': 403,
  /** An admin's reset of their own password: they change it with their current one instead. */
  'user.reset_own_password': 400,
  'team.not_found': 404,
  'api_token.not_found': 404,
  'team.name_taken': 409,
  /** Deleting a team that routing rules, SLA policies, automation rules or team templates still use. */
  'team.in_use': 409,
  'inbox.not_found': 404,
  'channel.connection_failed': 400,
  /** A channel callback (WeChat) that is malformed, oversized, badly signed or stale: one answer for all. */
  'channel.request_invalid': 400,
  /** An update that would leave a channel no way to receive (an email inbox without IMAP nor forwarding). */
  'channel.no_receive_path': 400,
  'customer.not_found': 404,
  /** A PATCH whose If-Match names a version of the customer that is no longer current (someone saved in between). */
  'customer.modified': 412,
  /** A duplicates lookup ran past its statement timeout (an unforeseen plan): answered instead of holding on. */
  'customer.duplicates_timeout': 503,
  'customer_channel.address_taken': 409,
  'customer_merge.not_found': 404,
  'customer_merge.already_undone': 409,
  'customer_merge.not_undoable': 409,
  'custom_field.not_found': 404,
  'custom_field.key_taken': 409,
  'custom_field.in_use': 409,
  'order.not_found': 404,
  'conversation.not_found': 404,
  'conversation.invalid_transition': 409,
  'route.not_found': 404,
  'tag_group.not_found': 404,
  'tag_group.name_taken': 409,
  'tag_group.in_use': 409,
  'tag.not_found': 404,
  'tag.name_taken': 409,
  'tag.in_use': 409,
  'tag.invalid_parent': 400,
  'tag.unknown': 400,
  'segment.not_found': 404,
  'segment.name_taken': 409,
  'segment.invalid_filter': 400,
  'bulk.count_changed': 409,
  'job.not_found': 404,
  'job.not_cancellable': 409,
  'job.finished': 409,
  'file.not_found': 404,
  'attachment.not_found': 404,
  'attachment.type_refused': 415,
  'import.not_found': 404,
  'import.unreadable': 400,
  'import.zip_bomb': 400,
  /** The mapping names a column the file does not have. */
  'import.mapping_unknown_column': 400,
  /** The mapping names a field this kind of import does not take. */
  'import.mapping_unknown_field': 400,
  /** Two columns mapped to one field; details.field. */
  'import.mapping_duplicate_field': 400,
  /** No column for a required field (details.fields: at least one of them). */
  'import.mapping_missing_required': 400,
  'import.already_running': 409,
  'export.invalid_fields': 400,
  /** A PDF of more customers than PDF_EXPORT_MAX_CUSTOMERS (contracts) would be thousands of pages. */
  'export.too_many_for_pdf': 400,
  'holiday.not_found': 404,
  'holiday.no_preset': 400,
  'template.not_found': 404,
  'template.unknown_variables': 400,
  'template.unknown_segments': 400,
  'template.invalid_attachments': 400,
  'automation_rule.not_found': 404,
  'keyword_reply.not_found': 404,
  'alert.not_found': 404,
  'keyword_reply.invalid': 400,
  'keyword_reply.invalid_regex': 400,
  'keyword_reply.unsafe_regex': 400,
  'automation_rule.invalid': 400,
  'routing_rule.not_found': 404,
  'routing_rule.invalid': 400,
  'routing.agent_ineligible': 400,
  'survey.not_found': 404,
  'survey.expired': 410,
  'survey.already_answered': 409,
  'survey.disabled': 409,
  'survey.invalid_score': 400,
  'kb_article.not_found': 404,
  'kb_category.not_found': 404,
  'kb_category.invalid_parent': 400,
  'ticket.not_found': 404,
  'ticket.invalid_transition': 409,
  'ticket.unknown_category': 400,
  'ticket.assignee_unavailable': 400,
  'ticket.invalid_watchers': 400,
  'ticket.merge_invalid': 409,
  'ticket_category.not_found': 404,
  'ticket_category.key_taken': 409,
  'ticket_category.name_taken': 409,
  'ticket_category.built_in': 409,
  'ticket_category.in_use': 409,
  'ticket_view.not_found': 404,
  'ticket_view.built_in': 409,
  'sla_policy.not_found': 404,
  'webhook.not_found': 404,
  'webhook.unsafe_url': 400,
  'webhook.disabled': 409,
  'webhook_delivery.not_found': 404,
  'webhook_delivery.not_dead': 409,
  'message.not_found': 404,
  'message.not_retryable': 409,
  'sms_campaign.not_found': 404,
  rate_limited: 429,
  internal: 500,
} as const;
export type ErrorCode = keyof typeof errorStatus;

/** Thrown by services; mapped to an HTTP answer by the error handler, never built by hand in routes. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

const body = (code: string, message: string, details?: unknown) => ({
  error: details === undefined ? { code, message } : { code, message, details },
});

/** Maps Fastify's own client errors (bad JSON, huge body, wrong content type) onto our codes. */
function fromFastifyError(error: FastifyError): [number, ReturnType<typeof body>] | undefined {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return [413, body('request.too_large', '请求体过大')];
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return [415, body('request.unsupported_media_type', '不支持的 Content-Type')];
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return [400, body('request.invalid', '请求体不是合法的 JSON')];
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return [400, body('request.invalid', '请求体为空：Content-Type 为 application/json 时须带 JSON 内容')];
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)
    return [error.statusCode, body('request.invalid', error.message)];
  return undefined;
}

/** PostgreSQL error code of a driver error, also when an ORM wrapped it. */
export function postgresCode(error: unknown): string | undefined {
  for (let current = error; current && typeof current === 'object'; current = (current as { cause?: unknown }).cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

// 22021: invalid byte sequence (NUL in text); 22P05: untranslatable character.
const isInvalidTextForDatabase = (error: unknown) => ['22021', '22P05'].includes(postgresCode(error) ?? '');

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      return reply.status(errorStatus[error.code]).send(body(error.code, error.message, error.details));
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issues = error.validation.map((issue) => ({
        path: issue.instancePath || '/',
        message: issue.message,
      }));
      // The first problem in the message itself, for clients that show only the message (toasts, scripts' logs).
      const first = issues[0];
      const where = first && first.path !== '/' ? `${first.path.slice(1).replaceAll('/', '.')}：` : '';
      const message = first
        ? `请求参数不正确：${where}${first.message}`
        : `请求参数不正确（${error.validationContext}）`;
      return reply.status(400).send(body('request.invalid', message, issues));
    }
    if (isInvalidTextForDatabase(error)) {
      return reply.status(400).send(body('request.invalid', '文本中含有无法保存的字符（如 NUL）'));
    }
    const known = fromFastifyError(error);
    if (known) return reply.status(known[0]).send(known[1]);
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send(body('internal', '服务器内部错误'));
  });
}

export const routeNotFound = (method: string, url: string) =>
  body('route.not_found', `没有这个接口：${method} ${url.split('?')[0]}`);
