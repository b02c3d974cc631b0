import { Tag as AntTag, Tooltip } from 'antd';
import type { Tag } from '../api/tags-api.ts';
import type { TagOption } from '../hooks/use-tags.ts';

type Props = {
  tag: Tag | TagOption;
  closable?: boolean;
  onClose?: () => void;
  /** Show "父 / 子" instead of the tag's own name. */
  showPath?: boolean;
};

/** A tag as a coloured chip; the hover names its group (and parents). */
export function TagChip({ tag, closable, onClose, showPath }: Props) {
  const option = 'group' in tag ? tag : undefined;
  const label = showPath && option ? option.path : tag.name;
  const chip = (
    <AntTag
      color={tag.color ?? undefined}
      closable={closable}
      onClose={(event) => {
        event.preventDefault();
        onClose?.();
      }}
      className="hk-tag-chip"
      data-testid="tag-chip"
      data-tag-id={tag.id}
    >
      {label}
    </AntTag>
  );
  return option ? <Tooltip title={`${option.group.name} · ${option.path}`}>{chip}</Tooltip> : chip;
}
