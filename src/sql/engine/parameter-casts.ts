// Types the parameters DuckDB could not type at plan time (`SELECT ? + 1`, `VALUES (?, ?)`) from
// the Arrow types of the bound parameter batch. A bound value alone does not fix the type: a NULL
// binds untyped, so row 2 of a batch would re-plan with other result types than row 1. Wrapping
// each such parameter in a CAST to the batch column's SQL type makes every row plan alike.
import { TimeUnit, Type, type DataType, type Schema } from 'apache-arrow';
import { tokenize } from './sql-tokens.ts';

/** The DuckDB SQL type an Arrow parameter column binds as; null for a wildcard (Null, dictionary). */
export function sqlTypeOfArrow(type: DataType): string | null {
  switch (type.typeId) {
    case Type.Bool: return 'BOOLEAN';
    case Type.Int: {
      const t = type as unknown as { bitWidth: number; isSigned: boolean };
      const name = ({ 8: 'TINYINT', 16: 'SMALLINT', 32: 'INTEGER', 64: 'BIGINT' } as Record<number, string>)[t.bitWidth]!;
      return t.isSigned ? name : `U${name}`;
    }
    case Type.Float: return (type as unknown as { precision: number }).precision === 2 ? 'DOUBLE' : 'FLOAT';
    case Type.Utf8:
    case Type.LargeUtf8: return 'VARCHAR';
    case Type.Binary:
    case Type.LargeBinary:
    case Type.FixedSizeBinary: return 'BLOB';
    case Type.Date: return 'DATE';
    case Type.Time: return 'TIME';
    case Type.Timestamp: {
      const t = type as unknown as { unit: TimeUnit; timezone: string | null };
      if (t.timezone) return 'TIMESTAMPTZ';
      return ({ [TimeUnit.SECOND]: 'TIMESTAMP_S', [TimeUnit.MILLISECOND]: 'TIMESTAMP_MS', [TimeUnit.MICROSECOND]: 'TIMESTAMP', [TimeUnit.NANOSECOND]: 'TIMESTAMP_NS' })[t.unit];
    }
    case Type.Decimal: {
      const t = type as unknown as { precision: number; scale: number };
      return t.precision <= 38 ? `DECIMAL(${t.precision},${t.scale})` : null;
    }
    case Type.Interval: return 'INTERVAL';
    default: return null;
  }
}

/**
 * `sql` with each parameter in `untyped` (names as DuckDB reports them: "1" for the first `?`)
 * cast to the SQL type of its column in `parameters`; every `?` becomes `$k`, since DuckDB does
 * not mix the two styles. Returns null when no parameter gains a type (nothing to re-plan).
 */
export function castParameters(sql: string, names: string[], untyped: boolean[], parameters: Schema): string | null {
  const typeOf = new Map<string, string>();
  names.forEach((name, i) => {
    const field = parameters.fields[i];
    const t = untyped[i] && field ? sqlTypeOfArrow(field.type) : null;
    if (t !== null) typeOf.set(name, t);
  });
  if (typeOf.size === 0) return null;
  let out = '';
  let at = 0;
  let positional = 0;
  for (const token of tokenize(sql)) {
    let name: string | null = null;
    if (token.kind === 'punct' && token.text === '?') name = String(++positional);
    else if (token.kind === 'word' && token.text.startsWith('$') && token.text.length > 1) name = token.text.slice(1);
    if (name === null) continue;
    const type = typeOf.get(name);
    out += sql.slice(at, token.start) + (type ? `CAST($${name} AS ${type})` : `$${name}`);
    at = token.end;
  }
  return out + sql.slice(at);
}
