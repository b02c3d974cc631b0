import { Select, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { useTagOptions } from '../hooks/use-tag-options.ts';

type Props = {
  value: string[];
  onChange: (value: string[]) => void;
  placeholder?: string;
  testId?: string;
  size?: 'small' | 'middle';
};

/** Multi-select of tags, grouped by tag group, child tags indented; type to search by name. */
export function TagSelect({ value, onChange, placeholder, testId, size }: Props) {
  const { t } = useTranslation();
  const { groups, byId, isLoading } = useTagOptions();
  return (
    <Select<string[]>
      mode="multiple"
      size={size}
      style={{ width: '100%', minWidth: 200 }}
      value={value}
      onChange={onChange}
      loading={isLoading}
      placeholder={placeholder ?? t('segments.pickTags')}
      showSearch={{ optionFilterProp: 'title' }}
      notFoundContent={isLoading ? undefined : t('segments.noTags')}
      options={groups.map(({ group, tags }) => ({
        label: group.name,
        title: group.name,
        options: tags.map((tag) => ({
          value: tag.id,
          title: tag.name,
          label: (
            <span style={{ paddingLeft: tag.depth * 12 }}>
              <span className="hk-tag-dot" style={{ background: tag.color }} />
              {tag.name}
            </span>
          ),
        })),
      }))}
      tagRender={({ value: id, closable, onClose }) => {
        const tag = byId.get(String(id));
        return (
          <Tag color={tag?.color} closable={closable} onClose={onClose} style={{ marginInlineEnd: 4 }}>
            {tag?.name ?? '…'}
          </Tag>
        );
      }}
      data-testid={testId}
    />
  );
}
