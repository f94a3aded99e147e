// RFC 4180 records from a stream of text chunks: quoted fields may hold commas, doubled quotes
// and line breaks; CRLF and LF both end a record. State carries across chunk boundaries, so
// a file is read in chunks of any size.

export interface CsvRecord {
  fields: string[];
  /** 1-based line on which the record starts, for error messages. */
  line: number;
}

export async function* csvRecords(chunks: AsyncIterable<string>, delimiter = ','): AsyncGenerator<CsvRecord> {
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let quoteSeen = false; // a quote inside a quoted field: either the closing one or the first of ""
  let line = 1;
  let recordLine = 1;
  let fieldStarted = false;
  const endRecord = (): CsvRecord => {
    fields.push(field);
    const record = { fields, line: recordLine };
    fields = [];
    field = '';
    fieldStarted = false;
    return record;
  };
  let pendingCR = false;
  for await (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (inQuotes) {
        if (quoteSeen) {
          quoteSeen = false;
          if (c === '"') { field += '"'; continue; }
          inQuotes = false;
          // fall through: c follows the closing quote
        } else {
          if (c === '"') { quoteSeen = true; continue; }
          if (c === '\n') line++;
          field += c;
          continue;
        }
      }
      if (pendingCR) {
        pendingCR = false;
        if (c === '\n') continue;
      }
      if (c === '"' && !fieldStarted) {
        inQuotes = true;
        fieldStarted = true;
        continue;
      }
      if (c === delimiter) {
        fields.push(field);
        field = '';
        fieldStarted = false;
        continue;
      }
      if (c === '\n' || c === '\r') {
        pendingCR = c === '\r';
        const record = endRecord();
        line++;
        recordLine = line;
        if (!(record.fields.length === 1 && record.fields[0] === '')) yield record;
        continue;
      }
      field += c;
      fieldStarted = true;
    }
  }
  if (inQuotes && !quoteSeen) throw new Error(`line ${recordLine}: a quoted field is not closed before the end of the file`);
  if (fieldStarted || field !== '' || fields.length > 0) yield endRecord();
}
