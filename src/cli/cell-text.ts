// One Arrow value as text, for CSV output and the terminal preview.
import { DataType, type Field } from 'apache-arrow';

const jsonReplacer = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v);

export function cellText(field: Field, value: unknown): string {
  if (value === null || value === undefined) return '';
  const type = field.type;
  if (DataType.isTimestamp(type) && typeof value === 'number') return new Date(value).toISOString();
  if (DataType.isDate(type) && typeof value === 'number') {
    const iso = new Date(value).toISOString();
    return type.unit === 0 ? iso.slice(0, 10) : iso;
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'object') {
    const plain = typeof (value as { toJSON?: unknown }).toJSON === 'function' ? (value as { toJSON(): unknown }).toJSON() : value;
    return JSON.stringify(plain, jsonReplacer);
  }
  return String(value);
}
