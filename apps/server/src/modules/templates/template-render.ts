import {
  maskPhone,
  type OrderStatus,
  orderStatusLabels,
  type RfmTier,
  rfmTierLabels,
  TEMPLATE_VARIABLE_PATTERN,
  type TemplateVariable,
  templateVariablesIn,
} from '@huike/contracts';
import { normalizeText, toInitials, toPinyin } from '../../platform/text/index.ts';
import type { renderContext } from './templates.repository.ts';

export type VariableValues = Partial<Record<TemplateVariable, string | null>>;

/**
 * Fills `{{variables}}` in one pass. A value is plain text inserted once: the replacement is never scanned again,
 * so a customer named `{{agent.name}}` or `<script>` stays exactly that (the web app renders messages as text).
 * Variables without a value render empty and are answered in `missing`, for the agent to fill in.
 */
export function fillVariables(content: string, values: VariableValues): { content: string; missing: string[] } {
  const missing = new Set<string>();
  const filled = content.replace(TEMPLATE_VARIABLE_PATTERN, (_match, name: string) => {
    const value = values[name as TemplateVariable];
    if (value === undefined || value === null || value === '') {
      missing.add(name);
      return '';
    }
    return value;
  });
  return { content: filled, missing: [...missing] };
}

/** ¥ and two decimals, from fen. */
export const formatYuan = (fen: number): string => `¥${(fen / 100).toFixed(2)}`;

export function variableValues(
  row: NonNullable<Awaited<ReturnType<typeof renderContext>>>,
  options: { agentName: string | null; mayRevealPhone: boolean },
): VariableValues {
  const amount = row.amount_fen === null ? null : Number(row.amount_fen);
  return {
    'customer.name': row.customer_name,
    'customer.nickname': row.customer_nickname,
    'customer.phone': row.customer_phone
      ? options.mayRevealPhone
        ? row.customer_phone
        : maskPhone(row.customer_phone)
      : null,
    'customer.tier': row.rfm_tier ? (rfmTierLabels['zh-CN'][row.rfm_tier as RfmTier] ?? null) : null,
    'order.latest.order_no': row.order_no,
    'order.latest.status': row.order_status ? (orderStatusLabels[row.order_status as OrderStatus] ?? null) : null,
    'order.latest.tracking_company': row.tracking_company,
    'order.latest.tracking_no': row.tracking_no,
    'order.latest.amount': amount === null ? null : formatYuan(amount),
    'agent.name': options.agentName,
    'inbox.name': row.inbox_name,
    'workspace.name': row.workspace_name,
  };
}

/** The words of a template without its placeholders (so pinyin keys hold no `orderlatesttrackingno`). */
const withoutVariables = (text: string) => text.replace(TEMPLATE_VARIABLE_PATTERN, ' ');

/** Normalised text, pinyin and initials of a template, for server-side `q` and the web picker's local matching. */
export function templateSearch(title: string, content: string) {
  const plainContent = withoutVariables(content).slice(0, 600);
  const keys = {
    text: normalizeText(`${title} ${withoutVariables(content)}`),
    titlePinyin: toPinyin(normalizeText(title)),
    titleInitials: toInitials(normalizeText(title)),
    contentPinyin: toPinyin(normalizeText(plainContent)),
    contentInitials: toInitials(normalizeText(plainContent)),
  };
  const searchText = [keys.text, keys.titlePinyin, keys.titleInitials, keys.contentPinyin, keys.contentInitials].join(
    '\n',
  );
  return { searchKeys: keys, searchText };
}

export { templateVariablesIn };
