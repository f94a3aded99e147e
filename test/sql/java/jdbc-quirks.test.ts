// What the protocol layer does for Arrow Java's Flight SQL JDBC driver, checked without a JVM
// (test/interop/test_flight_sql_jdbc.py runs the driver itself): the SqlInfo ordinals it casts to
// Integer ride in the int32 slot, and timestamp parameters are advertised in milliseconds, the
// unit the driver writes whatever the schema says.
import assert from 'node:assert/strict';
import test from 'node:test';
import { Field, Int64, Schema, TimeUnit, Timestamp, Utf8 } from 'apache-arrow';
import { sqlInfoBatch } from '../../../src/sql/sql-info.ts';
import { advertisedParameterSchema } from '../../../src/sql/sql-types.ts';

// The dense union's child index per value kind (sql-info.ts UNION_FIELDS).
const INT32_SLOT = 3;
const INT64_SLOT = 2;

test('SqlInfo int32 ordinals the JDBC driver reads as Integer ride in the int32 slot', () => {
  const codes = [503, 505, 507, 528, 562];
  const batch = sqlInfoBatch(codes, { readOnly: false });
  const union = batch.getChildAt(1)!.data[0]!;
  const slots = Object.fromEntries(codes.map((c, i) => [c, union.typeIds[i]]));
  assert.deepEqual(slots, { 503: INT32_SLOT, 505: INT32_SLOT, 507: INT32_SLOT, 528: INT32_SLOT, 562: INT64_SLOT });
  assert.deepEqual(codes.map((_, i) => batch.getChildAt(1)!.get(i)), [3, 1, 2, 2, 0n]);
});

test('timestamp parameters are advertised in milliseconds, zone and nullability kept; other types untouched', () => {
  const schema = new Schema([
    new Field('$1', new Timestamp(TimeUnit.MICROSECOND, null), true),
    new Field('$2', new Timestamp(TimeUnit.NANOSECOND, 'UTC'), false),
    new Field('$3', new Int64(), true),
    new Field('$4', new Utf8(), true),
  ]);
  const advertised = advertisedParameterSchema(schema);
  const [a, b, c, d] = advertised.fields;
  assert.equal((a!.type as Timestamp).unit, TimeUnit.MILLISECOND);
  assert.equal((a!.type as Timestamp).timezone, null);
  assert.equal(a!.nullable, true);
  assert.equal((b!.type as Timestamp).unit, TimeUnit.MILLISECOND);
  assert.equal((b!.type as Timestamp).timezone, 'UTC');
  assert.equal(b!.nullable, false);
  assert.equal(c, schema.fields[2]);
  assert.equal(d, schema.fields[3]);
});
