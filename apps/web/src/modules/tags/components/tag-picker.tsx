import { type RefSelectProps, Select } from 'antd';
import { type Ref, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TagCatalog, TagOption } from '../hooks/use-tags.ts';
import { matchesName, pinyinInitials } from '../pinyin.ts';

type Props = {
  catalog: TagCatalog | undefined;
  /** Tags already applied (not offered again). */
  appliedIds: Set<string>;
  onPick: (tag: TagOption) => void;
  placeholder?: string;
  selectRef?: Ref<RefSelectProps>;
  testId?: string;
  size?: 'small' | 'middle';
  disabled?: boolean;
  onBlur?: () => void;
  autoFocus?: boolean;
};

/**
 * Type a few letters — the tag's name, or its pinyin initials (「gjz」 finds 高价值) — and press Enter.
 * The first match is highlighted, so tagging is two keystrokes after the shortcut that focuses it.
 */
export function TagPicker({
  catalog,
  appliedIds,
  onPick,
  placeholder,
  selectRef,
  testId,
  size = 'small',
  disabled,
  onBlur,
  autoFocus,
}: Props) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const options = useMemo(() => {
    if (!catalog) return [];
    return catalog.groups
      .map((group) => ({
        label: group.selection === 'single' ? t('tags.groupSingle', { name: group.name }) : group.name,
        title: group.name,
        options: catalog.options
          .filter((tag) => tag.groupId === group.id && !appliedIds.has(tag.id))
          .filter((tag) => matchesName(tag.name, search) || matchesName(tag.path, search))
          .map((tag) => ({
            value: tag.id,
            label: (
              <span className="hk-tag-option" data-testid="tag-option" data-initials={pinyinInitials(tag.name)}>
                <span className="hk-color-dot" style={{ background: tagColor(tag.color) }} />
                {tag.path}
              </span>
            ),
          })),
      }))
      .filter((group) => group.options.length > 0);
  }, [catalog, appliedIds, search, t]);

  return (
    <Select<string | null>
      ref={selectRef}
      size={size}
      showSearch={{ filterOption: false, onSearch: setSearch, searchValue: search }}
      value={null}
      placeholder={placeholder ?? t('tags.pickerPlaceholder')}
      options={options}
      disabled={disabled}
      autoFocus={autoFocus}
      popupMatchSelectWidth={240}
      notFoundContent={<span className="hk-muted">{catalog ? t('tags.noMatch') : t('tags.loading')}</span>}
      onSelect={(id) => {
        const tag = id ? catalog?.byId.get(id) : undefined;
        setSearch('');
        if (tag) onPick(tag);
      }}
      onBlur={() => {
        setSearch('');
        onBlur?.();
      }}
      className="hk-tag-picker"
      data-testid={testId}
      aria-label={t('tags.pickerPlaceholder')}
    />
  );
}

const presetColors: Record<string, string> = {
  magenta: '#eb2f96',
  red: '#f5222d',
  volcano: '#fa541c',
  orange: '#fa8c16',
  gold: '#faad14',
  lime: '#a0d911',
  green: '#52c41a',
  cyan: '#13c2c2',
  blue: '#1677ff',
  geekblue: '#2f54eb',
  purple: '#722ed1',
};

/** A tag's colour as CSS (tags store a preset name or #RRGGBB). */
export function tagColor(color: string | null | undefined): string {
  if (!color) return '#bfbfbf';
  return presetColors[color] ?? color;
}
