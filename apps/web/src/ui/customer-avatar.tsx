import { Avatar } from 'antd';

const palette = ['#1677ff', '#13a8a8', '#52c41a', '#fa8c16', '#eb2f96', '#722ed1', '#2f54eb', '#faad14'];

function colorFor(seed: string): string {
  let hash = 0;
  for (const char of seed) hash = (hash * 31 + char.charCodeAt(0)) | 0;
  return palette[Math.abs(hash) % palette.length] ?? '#1677ff';
}

type Props = { name: string; seed: string; size?: number };

/** The first character of the name on a colour derived from the id, so a customer keeps their colour. */
export function CustomerAvatar({ name, seed, size = 36 }: Props) {
  const initial = Array.from(name.trim())[0]?.toUpperCase() ?? '?';
  return (
    <Avatar size={size} style={{ backgroundColor: colorFor(seed), flexShrink: 0 }}>
      {initial}
    </Avatar>
  );
}
