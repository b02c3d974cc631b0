/** ¥1,234.50 from fen (integer cents); money is stored and sent as fen. */
export function formatFen(fen: number | null | undefined): string {
  const value = (fen ?? 0) / 100;
  return `¥${value.toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** Yuan typed by a person (e.g. 199.9) → fen, or null when it is not an amount. */
export function yuanToFen(yuan: number | null | undefined): number | null {
  if (yuan === null || yuan === undefined || Number.isNaN(yuan)) return null;
  return Math.round(yuan * 100);
}
