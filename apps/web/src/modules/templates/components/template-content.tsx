import { TEMPLATE_VARIABLE_PATTERN } from '@huike/contracts';
import { Tag } from 'antd';
import type { ReactNode } from 'react';
import { useVariableLabel } from '../variable-labels.ts';

/** A template's text with each `{{variable}}` shown as a chip with its label (unknown ones in red). */
export function TemplateContent({ content, maxLength }: { content: string; maxLength?: number }) {
  const variableLabel = useVariableLabel();
  const text = maxLength && content.length > maxLength ? `${content.slice(0, maxLength)}…` : content;
  const parts: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(TEMPLATE_VARIABLE_PATTERN)) {
    const index = match.index ?? 0;
    if (index > last) parts.push(text.slice(last, index));
    const name = match[1] ?? '';
    const label = variableLabel(name);
    parts.push(
      <Tag key={`${index}-${name}`} color={label ? 'blue' : 'red'} className="hk-variable-chip" title={`{{${name}}}`}>
        {label ?? name}
      </Tag>,
    );
    last = index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return <span className="hk-template-content">{parts}</span>;
}
