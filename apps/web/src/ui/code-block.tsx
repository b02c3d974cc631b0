import { CopyButton } from './copy-button.tsx';

type Props = { code: string; testId?: string };

/** Monospace, selectable, with a copy button in the corner. */
export function CodeBlock({ code, testId }: Props) {
  return (
    <div className="hk-code-block">
      <pre data-testid={testId}>
        <code>{code}</code>
      </pre>
      <CopyButton text={code} size="small" className="hk-code-copy" />
    </div>
  );
}
