import { type TemplateVariable, templateVariableLabels } from '@huike/contracts';
import { useTranslation } from 'react-i18next';

const englishLabels: Record<TemplateVariable, string> = {
  'customer.name': 'Customer name',
  'customer.nickname': 'Customer nickname',
  'customer.phone': 'Customer mobile',
  'customer.tier': 'Customer value tier',
  'order.latest.order_no': 'Latest order no.',
  'order.latest.status': 'Latest order status',
  'order.latest.tracking_company': 'Latest order carrier',
  'order.latest.tracking_no': 'Latest order tracking no.',
  'order.latest.amount': 'Latest order amount',
  'agent.name': 'Agent name',
  'inbox.name': 'Channel name',
  'workspace.name': 'Shop name',
};

/** Labels of template variables in the UI language (the contract's are Chinese; the variables' keys are dotted paths). */
export function useVariableLabel(): (name: string) => string | undefined {
  const { i18n } = useTranslation();
  const labels: Record<string, string> = i18n.language === 'en' ? englishLabels : templateVariableLabels;
  return (name) => labels[name];
}
