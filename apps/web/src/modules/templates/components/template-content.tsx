import { TEMPLATE_VARIABLE_PATTERN } from '@huike/contracts';
import { Tag } from 'antd';
import type { ReactNode } from 'react';
import { useVariableLabel } from '../variable-labels.ts';

type Part = { kind: 'text'; text: string; index: number } | { kind: 'variable'; name: string; index: number };

function splitVariables(content: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  for (const match of content.matchAll(TEMPLATE_VARIABLE_PATTERN)) {
    const index = match.index ?? 0;
    if (index > last) parts.push({ kind: 'text', text: content.slice(last, index), index: last });
    parts.push({ kind: 'variable', name: match[1] ?? '', index });
    last = index + match[0].length;
  }
  if (last < content.length) parts.push({ kind: 'text', text: content.slice(last), index: last });
  return parts;
}

/**
 * A template's text with each `{{variable}}` shown as a chip with its label (unknown ones in red). `maxLength`
 * counts what is shown (a chip as its label) and cuts only text: a variable is shown whole or not at all.
 */
export function TemplateContent({ content, maxLength }: { content: string; maxLength?: number }) {
  const variableLabel = useVariableLabel();
  const shown: ReactNode[] = [];
  let budget = maxLength ?? Number.POSITIVE_INFINITY;
  for (const part of splitVariables(content)) {
    if (budget <= 0) {
      shown.push('…');
      break;
    }
    if (part.kind === 'text') {
      const isCut = part.text.length > budget;
      shown.push(isCut ? `${part.text.slice(0, budget)}…` : part.text);
      if (isCut) break;
      budget -= part.text.length;
      continue;
    }
    const label = variableLabel(part.name);
    shown.push(
      <Tag
        key={`${part.index}-${part.name}`}
        color={label ? 'blue' : 'red'}
        className="hk-variable-chip"
        title={`{{${part.name}}}`}
      >
        {label ?? part.name}
      </Tag>,
    );
    budget -= (label ?? part.name).length;
  }
  return <span className="hk-template-content">{shown}</span>;
}
